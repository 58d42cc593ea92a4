"""Marker vocabulary: words that say what kind of work a request asks for.

Reasoning, constraint, sequence, format and precision markers raise the
complexity score. Greeting, closing, chit-chat, lookup and rewrite markers
mark light requests. Negation cues let the classifier ignore a topic that the
user rules out ("this isn't a legal question").

Weights of reasoning markers grade how much thinking the words ask for: "prove"
asks for more than "explain", which asks for more than "why".
"""

from __future__ import annotations

from router.vocabulary import MARKER, NEGATION

REASONING = "reasoning"
CONSTRAINT = "constraint"
SEQUENCE = "sequence"
FORMAT = "format"
PRECISION = "precision"
QUANTITY = "quantity"
NUMBER_WORD = "number_word"
GREETING = "greeting"
CLOSING = "closing"
CHITCHAT = "chitchat"
LOOKUP = "lookup"
REWRITE = "rewrite"
FOLLOW_UP = "follow_up"
STEERING = "steering"  # cues that router.injection may have a phrase to remove
NEGATION_BEFORE = "before"  # the cue precedes the term it negates
NEGATION_AFTER = "after"  # Japanese puts the cue after the term

_REASONING_STRONG = """
prove | proof | prove that | show that | derive | derivation | formal proof | rigorous* |
demonstrate that | deduce | counterexample* | beweise* | beweis | démontre* | démontrer |
demuestra* | demostrar | demonstre | demonstrar | доказ* | 证明 | 推导 | 証明 | 導出
"""

_REASONING_MEDIUM = """
analyse | analyze | analysing | analyzing | analysis | analyses | trade off* | tradeoff* |
root cause | architect* | design a | design an | design the | optimi* | evaluate | evaluating |
assess* | critique | critically | justify | implications | in depth | investigate* | reason about |
reasoning | debug* | troubleshoot* | diagnose | refactor* | solve | solving | simulate |
synthesi* | hypothes* | edge case* | what would happen | explain why | explain how |
compare | comparing | comparison* | contrast | pros and cons | advantages and disadvantages |
strategy | strategies | step by step | walk me through | break down | in detail | detailed |
comprehensive | thorough* | nuanced | figure out | work out | calculate | compute | estimate |
prioriti* | plan for | come up with | propose | recommend* | argue | argument* | infer* |
write a function | write a program | write a script | write code | implement | implementing |
faster | speed up | speeds up | slow |
analiza* | análisis | compara* | ventajas y desventajas | paso a paso | optimiza* | diseña* |
evalúa* | resuelve | resolver | calcula* | analysier* | vergleich* | vor und nachteile |
schritt für schritt | optimier* | entwirf | entwerfe* | bewerte* | löse | berechne* | analys* |
avantages et inconvénients | étape par étape | optimis* | conçois | concevoir | évalue* |
résous | résoudre | analis* | análise | prós e contras | passo a passo | otimiz* | projete |
avalie | resolva | проанализ* | анализ* | сравн* | плюсы и минусы | шаг за шагом | пошагов* |
оптимиз* | спроектир* | оцени* | реши* | вычисл* | рассчита* |
分析 | 比较 | 优缺点 | 利弊 | 一步一步 | 逐步 | 优化 | 设计 | 评估 | 求解 | 计算 |
比較 | メリットとデメリット | 長所と短所 | ステップバイステップ | 段階的 | 最適化 | 設計 | 評価 | 解いて |
計算
"""

_REASONING_LIGHT = """
explain | explains | explaining | explanation | why | how does | how do | how can | what if |
think carefully | think step by step | think hard | carefully | plan | reason | consider |
describe how | discuss | elaborate | interpret | implication | impact of | effect of |
explica* | por qué | porque | erkläre* | erklär* | warum | wieso | expliqu* | pourquoi |
por que | объясн* | почему | зачем | 解释 | 为什么 | 说明 | 説明 | なぜ | どうして
"""

_CONSTRAINT = """
must | must not | at most | at least | no more than | no fewer than | no less than | fewer than |
without using | exactly | only use | only using | do not use | don't use | should not |
shouldn't | requirement* | constraint* | no longer than | word limit | strictly | can't use |
cannot use | do not change | don't change | while keeping | backward compatible |
backwards compatible | without modifying | without changing | under no circumstances |
debe | deben | como máximo | como mínimo | al menos | sin usar | exactamente | no más de |
asegúrate | muss | müssen | höchstens | mindestens | ohne zu verwenden | genau | nicht mehr als |
stelle sicher | doit | doivent | au plus | au maximum | au moins | sans utiliser | exactement |
pas plus de | assure toi | deve | devem | no máximo | no mínimo | pelo menos | sem usar |
exatamente | não mais que | garanta | должн* | не более | не менее | как минимум | максимум |
без использования | ровно | убедись | 必须 | 最多 | 至少 | 不超过 | 不使用 | 不要使用 | 恰好 |
确保 | 要求 | 必ず | なければならない | 以内 | 少なくとも | 使わずに | 正確に
"""

_SEQUENCE = """
then | after that | afterwards | next | finally | lastly | first | firstly | secondly |
thirdly | followed by | once done | additionally | furthermore | in addition | also |
as well as | for each | step 1 | step one |
luego | después | finalmente | primero | además | dann | danach | anschließend |
schließlich | zuerst | außerdem | ensuite | puis | enfin | d'abord | de plus | depois |
em seguida | por fim | primeiro | além disso | затем | потом | после этого | наконец |
сначала | кроме того | 然后 | 接着 | 最后 | 首先 | 此外 | 并且 | それから | 次に | 最後に | まず |
さらに
"""

_FORMAT = """
json | yaml | csv | xml | markdown | in a table | as a table | markdown table | bullet point* |
bullet list | numbered list |
format* | template | schema | words or less | words or fewer | word count | latex | citation* |
cite | references | apa | mla | bibliography | outline | headings | headers | in the style of |
formato | tabla | tabelle | tableau | tabela | таблиц* | формат* | 表格 | 格式 | フォーマット |
形式 | 表形式
"""

_PRECISION = """
precise* | precision | accurate* | accuracy | exact | rigorous | verify | validate |
double check | production | production ready | secure | security | vulnerab* | unit test* |
test cases | robust* | reliable | scalab* | efficient* | decimal places | significant figures |
to the nearest | error free | no mistakes | critical | mission critical | compliant | correctness |
preciso | precisa | exacto | exacta | präzise | genaue | précis | précise | exato | exata |
точн* | 精确 | 准确 | 正確
"""

# Numbers written as words; they count with the numerals of a word problem.
_NUMBER_WORDS = """
half | twice | double | triple | quarter | third | dozen | dozens | two | three | four | five |
six | seven | eight | nine | ten | eleven | twelve | fifteen | twenty | thirty | forty | fifty |
hundred | hundreds | thousand | million | doble | triple | mitad | medio | hälfte | doppelt |
moitié | deux fois | metade | dobro | половин* | вдвое | дважды | 一半 | 两倍 | 半分 | 2倍
"""

# Quantity questions: with numbers in the text they mark a word problem. A
# phrase hides any shorter term inside it, so "how old is" and "how tall is"
# are listed here as well as among the lookups.
_QUANTITY = """
how many | how much | how long | how far | how fast | how old | how old is | how tall |
how tall is | how big | how heavy | what is the total | what's the total | what was the total |
what will be the total | total number of | total amount of | total cost of | in total |
altogether | what percentage | what percent | what is the percentage | what's the percentage |
what is the average | what's the average | what was the average | what will be the average |
what is the sum | what's the sum | what is the remainder | what was the original price |
per hour | per day | per week | per month | per year | each day | each week |
cuántos | cuántas | cuánto | cuánta | qué porcentaje | qué edad | wie viele | wie viel | wie alt |
combien | quel pourcentage | quel âge | quantos | quantas | quanto | quanta | que porcentagem |
qual porcentagem | que idade | сколько | какой процент | 多少 | 几个 | 几岁 | 百分之几 | いくつ | 何個 |
何人 | いくら | 何歳 | 何パーセント
"""

_GREETING = """
hi | hello | hey | hiya | howdy | hi there | hello there | hey there | good morning |
good afternoon | good evening | greetings | yo | sup | what's up | whats up | how are you |
how's it going | nice to meet you | hola | buenos días | buenas tardes | buenas | hallo |
guten tag | guten morgen | servus | moin | bonjour | salut | bonsoir | olá | oi | bom dia |
boa tarde | привет | здравствуйте | добрый день | 你好 | 您好 | こんにちは | おはよう | こんばんは |
ciao | buongiorno | hej | hoi | namaste | merhaba | 안녕하세요 | 안녕
"""

_CLOSING = """
thanks | thank you | thx | ty | cheers | bye | goodbye | see you | good night | great thanks |
perfect | awesome | cool | got it | ok | okay | nice | great | gracias | danke | merci |
obrigado | obrigada | спасибо | 谢谢 | 多谢 | ありがとう | adiós | tschüss | au revoir | tchau |
пока | 再见 | さようなら | grazie | 감사합니다
"""

_CHITCHAT = """
lol | haha | hahaha | lmao | omg | wow | :) | :( | :d | ;) | how was your day | i'm bored |
im bored | tell me a joke | a joke | joke | jokes | what's your name | who are you | are you real |
are you a robot | do you like | your favorite | your favourite | favorite | favourite |
i feel | i'm feeling | my day | weekend | sounds good | fun fact | riddle | would you rather |
cuéntame un chiste | erzähl mir einen witz | raconte moi une blague | conta uma piada |
расскажи анекдот | 讲个笑话 | 冗談
"""

# Simple factual lookups: one fact, one definition, one conversion.
_LOOKUP = """
capital of | who wrote | who is | who was | who invented | who discovered | when was | when did |
when is | where is | where was | what year | how old is | how tall is | population of |
what time | time zone | what does | meaning of | definition of | define | synonym* | antonym* |
spell | spelling | convert | translate | translation | what is the name | stand for |
capital de | capitale de | hauptstadt | столица | 首都 | traduce* | traducir | übersetze* |
übersetzen | tradui* | traduz* | перевед* | 翻译 | 翻訳 | qué significa | was bedeutet |
que veut dire | o que significa | что значит | 什么意思 | どういう意味
"""

# Light editing of text the user supplies.
_REWRITE = """
fix the grammar | grammar | typo* | rephrase | reword | rewrite | paraphrase | shorten | shorter |
more concise | concise | polish | edit this | make it shorter |
make this shorter | sound friendlier | friendlier | more friendly | more formal | less formal |
more polite | more casual | proofread | summarize | summarise | summary | tl;dr | tldr |
make it sound | make this sound | corrige | korrigiere | reformula* | umformulieren |
reformule* | resume | resumen | zusammenfass* | résume | resuma | перефразир* | исправь |
润色 | 改写 | 总结 | 要約 | 言い換え
"""

# Each pattern of router.injection contains one of these cues, so text without
# them skips its regex. They carry no weight of their own. Terms cannot contain
# "|", the group separator, so "<|system|>" has no cue of its own.
_STEERING = """
system override* | system prompt* | system message* | system instruction* | [system] | [admin] |
[developer] | im_start | <system> | developer mode | admin mode | god mode | dan mode |
jailbreak* | ignore | disregard | forget | override | bypass | most powerful | most capable |
most advanced | most expensive | most intelligent | best model* | strongest | smartest |
biggest model* | largest model* | top model* | premium model* | highest tier | expensive model* |
advanced model* | frontier model* | tier 3 | tier3 | opus | gpt 4 | gpt4* | route this |
route it | route me | classify this | classify it | mark this | mark it | treat this | treat it |
rate this | rate it | extremely complex | very complex | really complex | highly complex |
super complex | extremely difficult | very difficult | really difficult | extremely hard |
very hard | really hard | super hard | extremely important | very important | really important |
extremely advanced | very advanced | highly advanced | ignora | ignoriere | ignorez | игнорируй |
忽略 | 無視
"""

_NEGATION_BEFORE = """
not | isn't | isnt | aren't | wasn't | weren't | doesn't | don't | didn't | no | never | nothing |
neither | nor | not about | not a | not an | no | ni | nunca | nada | nicht | kein | keine |
keinen | keiner | keines | weder | pas | non | ni | jamais | rien | não | nem | nunca |
не | нет | ни | 不是 | 并非 | 并不是 | 没有 | 无关 | 不需要 | 不涉及
"""

_NEGATION_AFTER = """
ではない | ではありません | じゃない | じゃありません | ではなく | ではなくて | とは関係ない
"""

# Constraint words that are also common in requests without a hard limit.
_CONSTRAINT_WEAK = """
make sure | ensure | required | avoid | preserve | in place | limited to | up to | within |
only | keep it
"""

# Continuation cues: a short turn with one of them refers back to earlier turns.
_FOLLOW_UP = """
yes | yeah | yep | sure | do it | do that | go ahead | go on | continue | proceed | please do |
try again | keep going | fix it | what about | how about | same for | and now | now do |
sí | hazlo | adelante | continúa | mach das | mach weiter | weiter | oui | vas y | continue |
sim | faça isso | continua | да | давай | продолжай | 好的 | 继续 | 是的 | はい | 続けて | お願いします
"""

GROUPS: list[tuple[str, str, float, str]] = [
    (MARKER, REASONING, 0.8, _REASONING_STRONG),
    (MARKER, REASONING, 0.5, _REASONING_MEDIUM),
    (MARKER, REASONING, 0.25, _REASONING_LIGHT),
    (MARKER, CONSTRAINT, 0.5, _CONSTRAINT),
    (MARKER, CONSTRAINT, 0.2, _CONSTRAINT_WEAK),
    (MARKER, SEQUENCE, 0.25, _SEQUENCE),
    (MARKER, FORMAT, 0.4, _FORMAT),
    (MARKER, PRECISION, 0.4, _PRECISION),
    (MARKER, QUANTITY, 0.5, _QUANTITY),
    (MARKER, NUMBER_WORD, 1.0, _NUMBER_WORDS),
    (MARKER, GREETING, 1.0, _GREETING),
    (MARKER, CLOSING, 1.0, _CLOSING),
    (MARKER, CHITCHAT, 1.0, _CHITCHAT),
    (MARKER, LOOKUP, 1.0, _LOOKUP),
    (MARKER, REWRITE, 1.0, _REWRITE),
    (MARKER, FOLLOW_UP, 1.0, _FOLLOW_UP),
    (MARKER, STEERING, 0.0, _STEERING),
    (NEGATION, NEGATION_BEFORE, 1.0, _NEGATION_BEFORE),
    (NEGATION, NEGATION_AFTER, 1.0, _NEGATION_AFTER),
]
