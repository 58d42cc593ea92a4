"""High-stakes vocabulary: requests where a wrong answer can hurt someone or cost them.

Each term alone marks a query high stakes unless a negation covers it. Terms
are phrases rather than topic words: "dosage" or "review my contract" ask for
a decision, whereas "medicine" or "law" may be a history essay. Topic words
live in the domain vocabularies, and `ADVICE_GROUPS` lists the personal cues
("should I", "my child") that make a medical, legal or financial topic high
stakes together with domain words.
"""

from __future__ import annotations

from router.vocabulary import MARKER, STAKES

MEDICAL = "medical"
LEGAL = "legal"
COMPLIANCE = "compliance"
FINANCIAL = "financial"
SAFETY = "safety"
ADVICE = "advice"

_MEDICAL = """
dosage | dosages | dosing | dose of | doses of | overdose* | overdosing | medical advice |
medical diagnosis | diagnose me | diagnose my | my diagnosis | my symptoms | drug interaction* |
interact with my medication | contraindicat* | chest pain | heart attack symptoms |
stroke symptoms | suicid* | self harm | kill myself | allergic reaction* | anaphyla* |
insulin dose* | mg/kg | maximum daily dose | safe to take | safe dose | lethal dose |
treatment plan | poison control | my child has | my son has | my daughter has | my baby has |
dosis | sobredosis | dosificación | posología | consejo médico | diagnóstico médico |
interacción medicamentosa | dolor en el pecho | reacción alérgica | qué dosis |
dosierung | überdosis | überdosierung | ärztlicher rat | medizinische beratung |
wechselwirkung* | brustschmerz* | allergische reaktion | suizid* | selbstmord* |
posologie | dose de | surdose | surdosage | avis médical | conseil médical | diagnostic médical |
interaction médicamenteuse | douleur thoracique | réaction allergique |
dosagem | superdosagem | conselho médico | interação medicamentosa | dor no peito |
reação alérgica | suicídio |
дозировк* | доза | дозу | дозы | передозировк* | медицинск* совет* | взаимодейств* лекарств* |
боль в груди | аллергическ* реакци* | суицид* | самоубийств* |
剂量 | 用量 | 服用多少 | 过量服用 | 医疗建议 | 药物相互作用 | 胸痛 | 过敏反应 | 自杀 |
投与量 | 服用量 | 過剰摂取 | 過量服薬 | 医療アドバイス | 飲み合わせ | 胸の痛み | アレルギー反応 | 自殺
"""

_LEGAL = """
legal advice | legal question | legal opinion | legal counsel | lawsuit* | litigation | litigat* |
sue my | sue me | sue them | sue the | suing my | being sued | get sued | sued by |
breach of contract | contract review | review this contract | review my contract |
review the contract | my contract | employment contract | lease agreement | rental agreement |
non compete | non disclosure agreement | settlement agreement | child custody | eviction |
criminal charge* | plead guilty | plea deal | court case | subpoena* | indict* | malpractice |
copyright infringement | trademark infringement | patent infringement | defamation |
wrongful termination | unfair dismissal | deportation | is it legal | is this legal |
am i liable | legally binding | power of attorney |
asesoría legal | asesoramiento legal | asesoría jurídica | consejo legal | consulta legal |
demanda judicial | demandar | litigio | contrato de trabajo | contrato de alquiler |
revisión de contrato | revisar el contrato | revisar mi contrato | despido improcedente | es legal |
rechtsberatung | rechtsfrage* | rechtlicher rat | rechtsstreit* | verklagen | verklagt |
arbeitsvertrag* | mietvertrag* | vertragsprüfung | räumungsklage | ist das legal | ist es legal |
conseil juridique | avis juridique | consultation juridique | question juridique |
poursuivre en justice | poursuites judiciaires | contrat de travail | revue de contrat |
relire mon contrat | licenciement abusif | est ce légal |
aconselhamento jurídico | consultoria jurídica | conselho jurídico | orientação jurídica |
questão jurídica | processo judicial | contrato de trabalho | contrato de aluguel |
revisão de contrato | demissão sem justa causa | é legal |
юридическ* консультац* | юридическ* совет* | юридическ* вопрос* | судебн* иск* | подать в суд |
судиться | трудов* договор* | договор аренды | проверк* договора | законно ли |
法律咨询 | 法律建议 | 法律意见 | 法律问题 | 诉讼 | 起诉 | 打官司 | 劳动合同 | 租赁合同 | 合同审查 |
审查合同 | 合法吗 | 违法吗 |
法律相談 | 法的助言 | 法的アドバイス | 法律上の問題 | 法的な問題 | 訴訟 | 訴えたい | 雇用契約 |
労働契約 | 賃貸借契約 | 契約書の確認 | 違法ですか | 合法ですか
"""

_COMPLIANCE = """
compliance review | compliance audit | compliance check | regulatory audit | regulatory compliance |
regulatory filing | regulatory approval | regulatory requirement* | sox compliance |
sarbanes oxley | anti money laundering | aml compliance | kyc | sanctions screening |
gdpr compliance | hipaa compliance | hipaa compliant | gdpr compliant | hipaa violation* |
gdpr violation* | are we compliant | is it compliant | am i compliant | pci dss | soc 2 |
iso 27001 | fda approval | export control* |
revisión de cumplimiento | cumplimiento normativo | auditoría regulatoria |
auditoría de cumplimiento | blanqueo de capitales |
compliance prüfung | regulatorische prüfung | aufsichtsrechtlich* | geldwäsche* |
revue de conformité | audit de conformité | conformité réglementaire | audit réglementaire |
blanchiment d'argent |
revisão de conformidade | auditoria de conformidade | conformidade regulatória |
auditoria regulatória | lavagem de dinheiro |
проверк* соответствия | комплаенс | регуляторн* аудит* | нормативн* требован* | отмывани* |
合规审查 | 合规审核 | 监管审计 | 反洗钱 | 监管要求 |
コンプライアンス審査 | コンプライアンスチェック | 規制監査 | 法令遵守 | マネーロンダリング
"""

_FINANCIAL = """
financial advice | investment advice | tax advice | should i invest | should i buy stock* |
which stocks | retirement savings | retirement account* | 401k | 401(k) | roth ira |
my portfolio | my investments | my savings | tax return | file my taxes | filing taxes |
tax filing | tax deduct* | capital gains tax | estate planning | inheritance tax |
refinance my | take out a loan | declare bankruptcy | debt consolidation |
asesoría financiera | asesoramiento financiero | consejo financiero | consejo de inversión |
asesoría fiscal | declaración de impuestos | declaración de la renta | debo invertir |
mis ahorros | mi jubilación |
finanzberatung | anlageberatung | steuerberatung | steuererklärung | soll ich investieren |
meine ersparnisse | altersvorsorge | privatinsolvenz |
conseil financier | conseil en investissement | conseil fiscal | déclaration d'impôts |
déclaration de revenus | dois je investir | mon épargne |
aconselhamento financeiro | consultoria financeira | conselho de investimento |
consultoria tributária | declaração de imposto | imposto de renda | devo investir |
minhas economias | minha aposentadoria |
финансов* консультац* | финансов* совет* | инвестицион* совет* | налогов* консультац* |
налогов* деклараци* | стоит ли инвестировать | мои сбережения |
理财建议 | 投资建议 | 财务建议 | 税务建议 | 税务咨询 | 报税 | 纳税申报 | 该不该投资 |
投資助言 | 投資アドバイス | 財務アドバイス | 税務相談 | 確定申告 | 投資すべき
"""

_SAFETY = """
safety critical | life critical | life support | medical device* | pacemaker | aviation safety |
flight control software | reactor safety | pressure vessel | load bearing | structural integrity |
gas leak | carbon monoxide | electrical wiring | high voltage | brake system* | airbag* |
crítico para la seguridad | fuga de gas | monóxido de carbono | alto voltaje |
sicherheitskritisch* | gasleck | kohlenmonoxid | hochspannung |
critique pour la sécurité | fuite de gaz | monoxyde de carbone | haute tension |
crítico para a segurança | vazamento de gás | alta tensão |
утечк* газа | угарн* газ* | высок* напряжени* |
安全关键 | 煤气泄漏 | 燃气泄漏 | 一氧化碳 | 高压电 |
ガス漏れ | 一酸化炭素 | 高電圧
"""

# Personal cues: together with medical, legal or financial domain words they
# turn a topic into a request for advice ("can I take ibuprofen with ...").
_ADVICE = """
should i | can i | could i | is it safe | is it ok to | is it okay to | do i need to |
what should i do | my doctor | my lawyer | my accountant | my child | my son | my daughter |
my baby | my wife | my husband | my mother | my father | my mom | my dad | for my kid |
i am taking | i'm taking | i have been | i've been |
debo | puedo | mi hijo | mi hija | soll ich | kann ich | darf ich | mein kind | mein sohn |
meine tochter | dois je | puis je | mon enfant | mon fils | ma fille | devo | posso | meu filho |
minha filha | стоит ли | можно ли | мне нужно | мой ребенок | мой ребёнок | мой сын | моя дочь |
我应该 | 我可以 | 我能 | 孩子 | 我儿子 | 我女儿 | べきですか | してもいいですか | 大丈夫ですか |
子供 | 息子 | 娘
"""

GROUPS: list[tuple[str, str, float, str]] = [
    (STAKES, MEDICAL, 1.0, _MEDICAL),
    (STAKES, LEGAL, 1.0, _LEGAL),
    (STAKES, COMPLIANCE, 1.0, _COMPLIANCE),
    (STAKES, FINANCIAL, 1.0, _FINANCIAL),
    (STAKES, SAFETY, 1.0, _SAFETY),
    (MARKER, ADVICE, 1.0, _ADVICE),
]
