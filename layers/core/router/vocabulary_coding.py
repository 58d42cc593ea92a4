"""Coding vocabulary in English, Spanish, German, French, Portuguese, Russian, Chinese and Japanese.

Weights say how surely a term means software work: 1.0 for names that mean
little else (python, segfault), 0.7 for names that are also everyday words
(java, rust), 0.4 for words with other everyday senses (function, server), 0.2
for words that lean technical only next to other coding terms (error, return).
Language, library and tool names are shared across languages, so the
non-English groups hold only the local words for code, bugs and programs.
"""

from __future__ import annotations

from router.vocabulary import DOMAIN

CODING = "coding"

_ENGLISH_STRONG = """
python | python3 | javascript | typescript | c++ | c# | f# | golang | kotlin | php | perl | scala |
haskell | ocaml | elixir | erlang | clojure | lua | matlab | fortran | cobol | nasm | verilog |
vhdl | solidity | bash | zsh | powershell | shell script* | sql | mysql | postgres | postgresql |
sqlite | mongodb | redis | kafka | rabbitmq | elasticsearch | graphql | rest api | api | apis |
endpoint* | http | https | html | css | reactjs | react component* | vue | vuejs | angular | svelte |
next.js | node.js | nodejs | npm | django | flask | fastapi | spring boot | laravel | .net |
asp.net | pandas | numpy | pytorch | tensorflow | keras | scikit learn | sklearn | jupyter |
docker* | dockerfile | kubernetes | k8s | terraform | ansible | aws lambda | dynamodb |
cloudformation | ec2 | github | gitlab | git | pull request* | merge conflict* | rebase | ci/cd |
linux | ubuntu | nginx | webpack | vite | eslint | regex | regexp | regular expression* |
algorithm* | data structure* | linked list* | binary tree* | binary search | hash map* | hashmap |
hash table* | stack trace* | stacktrace | traceback | segfault | segmentation fault |
null pointer | nullpointerexception | runtime error* | compile error* | compiler* | syntax error* |
typeerror | valueerror | keyerror | indexerror | attributeerror | stack overflow | memory leak* |
race condition* | deadlock* | mutex* | semaphore* | multithread* | concurren* | coroutine* |
goroutine* | lock free | lockless | mpmc | spsc | memory order* | garbage collect* | refactor* |
debug* | unit test* | pytest | jest | junit | recursion | recursive* | codebase | source code |
programming | programmer* | coding | coder | frontend | backend | full stack | database* | lru |
websocket* | tcp | udp | dns | ssh | oauth | jwt | cors | csrf | xss | sql injection | sha256 |
big o | quicksort | merge sort | bubble sort | dynamic programming | dijkstra | bfs | dfs |
leetcode | vscode | sdk | cli | microservice* | cuda | snippet* | stdout | stdin | stderr |
printf | println | console.log | #include | std:: | __init__ | nullptr | malloc | typedef |
elif | async | await | lambda function* | o(1) | o(n) | o(log n) | o(n log n) | o(n^2) | o(n²) |
time complexity | space complexity | callback* | iterator* | boolean* | json | yaml | xml | csv |
x86 | arm64 | shell command* | command line |
terminal command* | pip install | npm install | import numpy | def | const | struct | structs |
enum | enums | void | namespace* | dataframe* | api key* | http request* | status code* |
bug | bugs | buggy | dependency injection | design pattern* | object oriented | oop |
polymorphism | inheritance hierarchy | big endian | little endian | bitwise | bitmask* |
linter | compile | compiles | compiling | implement this | write a function | write a script |
write a program | write code | this code | my code | the code | code review | pseudocode |
pseudo code | binary search tree | heap sort | trie | graph traversal | adjacency list |
event sourcing | event sourced | cqrs | distributed system* | multi region | fault tolerant |
fault tolerance | high availability | eventual consistency | strong consistency | consistency model* |
consensus protocol* | paxos | sharding | sharded | replication lag | read replica* | load balancer* |
message broker* | message queue* | circuit breaker* | service mesh | system design | monolith |
monoliths | idempotency | idempotent | two phase commit | exactly once | at least once delivery |
"""

# Names of languages and tools that are also everyday words (an island, a metal, a bird).
_ENGLISH_AMBIGUOUS_NAMES = """
java | rust | ruby | swift | go code | assembly language | express.js | ruby on rails |
react hook* | react app* | react native | flutter | unity script* | excel formula* |
spreadsheet formula* | vba | macro* |
"""

_ENGLISH_MEDIUM = """
function | functions | method | methods | class | classes | variable* | loop | loops | array* |
string | strings | integer | integers | parse* | parser* | script | scripts | scripting | code |
program | programs | software | web app* | deploy* | server* | query | queries | schema* |
cache* | caching | queue* | latency | throughput | exception* | thread-safe | thread safe |
thread | threads | atomic* | pointer* | interface* | framework* | repository | repo | pipeline* |
runtime | compile time | encryption | hash | hashing | socket* | localhost | ip address* | ping |
ssl | tls | cookie* | ide | implement* | implementation* | machine learning | neural network* |
llm | gpu | null | undefined | var | mock* | fixture* | lambda | iterate | iteration |
refactoring | endpoint | payload | recursion | error message* | exit code* |
"""

# Words that lean technical only next to other coding terms.
_ENGLISH_WEAK = """
app | apps | import | return | returns | input | output | print | prints | build | request |
response | memory | token* | stack | heap | index | indexes | indices | config | configuration |
performance | library | libraries | module* | package* | branch | commit | commits | port |
terminal | failure* | fails | failing | crash* | error | errors |
"""

# Operators and call shapes that rarely occur in prose.
_SYNTAX = """
=> | -> | != | !== | === | == | && | (); | ); | :: | += | -= | ++ | <!-- | </ | self. |
print( | .format( | .append( | .map( | .push( | #!/
"""

_SPANISH = """
función | funciones | código | códigos | programa | programas | programación | programar |
depurar | depuración | compilar | compilador | implementar | implementa | implementación |
base de datos | bases de datos | algoritmo* | consulta sql | variable* | bucle* | arreglo* |
clase | clases | servidor* | error de compilación | fallo del programa | desarrollador* |
"""

_GERMAN = """
funktion* | quellcode | code | programm* | programmier* | implementier* | datenbank* |
fehlermeldung* | algorithmus | algorithmen | schleife* | variable* | klasse* | kompilier* |
entwickler* | skript* | server* | abfrage* | debugg* |
"""

_FRENCH = """
fonction* | code source | programme | programmes | programmation | programmer | implémenter |
implémente | implémentation | base de données | bases de données | algorithme* | boucle* |
variable* | classe* | compilateur | compiler | débogu* | déboguer | développeur* | serveur* |
requête sql | tableau* |
"""

_PORTUGUESE = """
função | funções | código | programa | programas | programação | programar | implementar |
implemente | implementação | banco de dados | bancos de dados | algoritmo* | laço* | variável |
variáveis | classe | classes | compilador | depurar | depuração | desenvolvedor* | servidor* |
consulta sql |
"""

_RUSSIAN = """
функци* | код | кода | коде | кодом | программ* | реализ* | алгоритм* | баз* данных | отлад* |
массив* | цикл* | переменн* | класс* | компилят* | компилир* | разработчик* | сервер* |
запрос* | ошибк* компиляции | скрипт* | библиотек* |
"""

_CHINESE = """
代码 | 函数 | 编程 | 算法 | 数据库 | 调试 | 编译 | 并发 | 缓存 | 时间复杂度 | 空间复杂度 | 报错 |
数组 | 链表 | 线程 | 多线程 | 死锁 | 脚本 | 异步 | 递归 | 哈希 | 二叉树 | 服务器 | 前端 | 后端 |
源码 | 源代码 | 重构 |
"""

_CHINESE_WEAK = """
程序 | 实现 | 接口 | 变量 | 类型 | 排序 | 队列 | 开发 |
"""

_JAPANESE = """
コード | 関数 | プログラム | プログラミング | アルゴリズム | データベース | デバッグ | コンパイル |
並行処理 | 並列処理 | キャッシュ | 計算量 | 配列 | スレッド | バグ | 変数 | スクリプト | 再帰 |
ハッシュ | サーバー | リファクタリング | 非同期 | ソースコード |
"""

_JAPANESE_WEAK = """
実装 | 並行 | 並列 | エラー | クラス | ソート | キュー | 開発 |
"""

GROUPS: list[tuple[str, str, float, str]] = [
    (DOMAIN, CODING, 1.0, _ENGLISH_STRONG),
    (DOMAIN, CODING, 0.7, _ENGLISH_AMBIGUOUS_NAMES),
    (DOMAIN, CODING, 0.4, _ENGLISH_MEDIUM),
    (DOMAIN, CODING, 0.2, _ENGLISH_WEAK),
    (DOMAIN, CODING, 0.5, _SYNTAX),
    (DOMAIN, CODING, 0.7, _SPANISH),
    (DOMAIN, CODING, 0.7, _GERMAN),
    (DOMAIN, CODING, 0.7, _FRENCH),
    (DOMAIN, CODING, 0.7, _PORTUGUESE),
    (DOMAIN, CODING, 0.7, _RUSSIAN),
    (DOMAIN, CODING, 0.8, _CHINESE),
    (DOMAIN, CODING, 0.4, _CHINESE_WEAK),
    (DOMAIN, CODING, 0.8, _JAPANESE),
    (DOMAIN, CODING, 0.4, _JAPANESE_WEAK),
]
