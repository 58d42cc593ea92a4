"""Topic vocabulary of the domains other than coding.

English carries the full lists. Spanish, German, French, Portuguese, Russian,
Chinese and Japanese carry the common words of each domain, enough to name it.
Topic words weigh 0.8 and math terms 1.0, because a math term rarely appears
outside math. Words that only lean towards math ("average", "percent") weigh 0.3.
"""

from __future__ import annotations

from router.models import Domain
from router.vocabulary import DOMAIN

_MATH = """
equation* | integral* | derivative* | calculus | algebra* | geometry | geometric | theorem* |
lemma | polynomial* | matri* | eigen* | vector space* | probability | probabilities |
prime number* | primes | modulo | logarithm* | factorial | permutation* | combinatoric* |
trigonometr* | hypotenuse | quadratic | inequalit* | converge* | diverge* | infinitely many |
set theory | group theory | topology | manifold* | axiom* | conjecture* | arithmetic |
divisible | divisor* | gcd | lcm | greatest common | least common multiple | irrational |
rational number* | real number* | complex number* | natural number* | standard deviation |
variance | expected value | random variable* | bayes* | binomial | poisson | gaussian |
combinatorics | differential | partial derivative* | gradient | optimization problem* |
linear programming | determinant | orthogonal | isomorph* | homomorph* | bijection | injective |
surjective | subgroup* | field extension* | cardinality | induction | recurrence relation* |
fibonacci | pythagorean | circumference | perimeter | radius | diameter |
ecuación | ecuaciones | probabilidad | derivada | matemática* | teorema | número primo |
gleichung* | wahrscheinlichkeit | ableitung | mathematik | primzahl* | beweise dass |
équation* | probabilité | dérivée | mathématique* | théorème | nombre premier |
equação | equações | probabilidade | matemática | número primo |
уравнени* | вероятност* | производн* | интеграл* | математи* | теорем* | простое число | матриц* |
方程 | 概率 | 导数 | 积分 | 数学 | 定理 | 素数 | 矩阵 | 函数图像 | 几何 |
方程式 | 確率 | 微分 | 積分 | 数学 | 定理 | 素数 | 行列 | 幾何
"""

_MATH_WEAK = """
sum of | product of | fraction* | percent* | percentage* | ratio* | average | mean of | median |
triangle* | circle* | angle* | integer | remainder | digits | multiply | divide | divided by |
times as | twice as | half of | solve for | value of x | function f | f(x) | graph of | slope |
number of ways | how many ways | calculate | compute | estimate the | area of | volume of |
porcentaje | prozent | pourcentage | porcentagem | процент* | 百分之 | パーセント
"""

_SCIENCE = """
physics | chemistry | biology | quantum | molecule* | molecular | atom | atoms | atomic number |
electron* | proton* | neutron* | photon* | thermodynamic* | entropy | enthalpy | kinetic energy |
momentum | velocity | acceleration | gravit* | relativity | newton's | joule* | voltage |
resistor* | capacitor* | electromagnetic | wavelength* | frequency | spectrum | chemical* |
oxidation | redox | enzyme* | protein* | dna | rna | genetic* | genome* | mitosis | meiosis |
photosynthesis | evolution* | species | ecosystem* | organism* | bacteri* | mutation* |
chromosome* | neuron* | hormone* | metabolism | nucleus | isotope* | radioactiv* | half life |
orbit* | planet* | galaxy | galaxies | black hole* | astronomy | astrophysics | geology |
tectonic | climate change | hypothesis | experiment* | scientific | scientist* | lab report |
molar | stoichiometr* | ph of | acid* | alkaline | catalyst* | reaction rate | circuit* |
magnetic field* | electric field* | force of | mass of | density | friction | torque |
física | química | biología | physik | chemie | biologie | physique | chimie | biologia |
физик* | хими* | биологи* | 物理 | 化学 | 生物 | 量子 | 分子 | 原子 | 物理学 | 化学反応
"""

_ANALYSIS = """
data analysis | dataset* | data set* | trend* | market analysis | swot | kpi* | metric* |
forecast* | correlation* | causation | regression | benchmark* | survey data | cost benefit |
risk assessment | risk analysis | case study | business plan | competitive landscape |
competitor* | market share | root cause analysis | a/b test* | cohort* | statistical* |
statistic* | significance | p value | confidence interval* | insight* | implications |
análisis de datos | datenanalyse | analyse de données | análise de dados | анализ данных |
数据分析 | 市场分析 | データ分析 | 市場分析
"""

_MEDICAL = """
medical | medicine* | doctor | doctors | physician* | nurse* | patients | hospital* | clinic* |
symptom* | diagnos* | treatment* | therapy | therapies | disease* | illness* | infection* |
fever | headache* | migraine* | cancer* | tumor* | tumour* | diabetes | diabetic | insulin |
blood pressure | hypertension | cholesterol | heart attack | asthma | allerg* | antibiotic* |
vaccin* | ibuprofen | paracetamol | acetaminophen | aspirin | tylenol | advil | opioid* |
prescription* | medication* | surgery | surgical | pregnan* | pediatric* | paediatric* |
mental health | psychiatr* | side effect* | clinical | anatomy | physiology | pathology |
pharmacolog* | cardiac | cardiolog* | neurolog* | dementia | alzheimer* | depression |
anxiety disorder* | mg | milligram* | pain | painful | injury | injuries | wound* | rash |
médico | medicina | síntoma* | enfermedad* | fiebre | medicamento* | ibuprofeno |
arzt | ärztin | medizin* | symptome | krankheit* | fieber | medikament* | schmerz* |
médecin* | médecine | symptôme* | maladie* | fièvre | médicament* |
doença* | febre | remédio* | sintoma* |
врач* | медицин* | симптом* | болезн* | лекарств* | ибупрофен* | парацетамол* |
医生 | 医学 | 症状 | 疾病 | 发烧 | 药物 | 布洛芬 | 扑热息痛 | 医院 |
医者 | 病気 | 発熱 | 薬 | イブプロフェン | 病院
"""

_LEGAL = """
law | laws | legal | legally | lawyer* | attorney* | court | courts | courtroom | judge | judges |
jury | plaintiff* |
defendant* | contract | contracts | contractual | clause | clauses | statute* | regulation* |
regulatory | compliance | gdpr |
hipaa | liability | liable | tort* | negligen* | copyright* | trademark* | patent* |
intellectual property | license agreement | licence agreement | terms of service |
privacy policy | jurisdiction* | constitution* | amendment* | legislat* | criminal* | felony |
misdemeanor | prosecut* | testimony | verdict* | precedent* | landlord* | tenant* | lease |
divorce | custody | probate | arbitration | indemnif* | warranty | sued | lawsuit* |
ley | leyes | abogad* | tribunal* | contrato* | jurídic* | gesetz* | anwalt | anwältin |
gericht* | vertrag* | rechtlich* | loi | lois | juridique* | avocat* | contrat* | lei | leis |
advogad* | закон* | юрист* | адвокат* | суд | суда | суде | судебн* | договор* |
法律 | 律师 | 法院 | 合同 | 合规 | 法規 | 弁護士 | 裁判 | 契約 | 規制
"""

_FINANCE = """
finance | financial | financing | invest | invests | investing | investment* | investor* |
portfolio* | stock market | stocks |
bonds | etf* | mutual fund* | index fund* | dividend* | interest rate* | inflation | mortgage* |
loan | loans | debt | credit score | credit card* | tax | taxes | taxation | irs | deduction* |
capital gains | retirement | pension* | budget* | accounting | balance sheet* |
income statement* | cash flow* | revenue* | profit* | ebitda | valuation* | npv | irr | roi |
equity | hedge fund* | forex | crypto* | bitcoin | ethereum | banking | fiscal | monetary |
gdp | economy | economic* | econometric* | salary | salaries | wage | wages |
finanzas | inversión* | impuesto* | hipoteca* | préstamo* | finanz* | steuerlich* | steuerberat* |
einkommensteuer | aktie* |
kredit* | hypothek* | investissement* | impôt* | hypothèque* | investimento* | imposto* |
empréstimo* | финанс* | инвестиц* | налог* | кредит* | ипотек* | акци* |
金融 | 投资 | 税 | 贷款 | 股票 | 财务 | 投資 | 税金 | ローン | 株式 | 財務
"""

_CREATIVE = """
poem* | poetry | haiku* | sonnet* | limerick* | story | stories | short story | fiction |
a novel | novels | narrative | character | characters | plot twist* | storyline* | screenplay |
lyrics | song* | rap | verse | verses | rhyme* |
fairy tale* | fable* | slogan* | tagline* | catchy | creative* | imagine | fantasy | sci fi |
invite | invitation* | birthday | wedding speech | toast | pun | puns | metaphor* | roleplay |
role play | dialogue | monologue | brainstorm* | essay | blog post* | tweet | caption* |
cover letter | speech | greeting card | love letter | bedtime story |
poema | cuento | canción | gedicht* | geschichte | märchen | poème | histoire | chanson | conte |
história | canção | стих* | рассказ* | сказк* | песн* | 诗 | 故事 | 歌词 | 小说 | 詩 | 物語 |
小説 | 歌詞
"""

GROUPS: list[tuple[str, str, float, str]] = [
    (DOMAIN, Domain.MATH.value, 1.0, _MATH),
    (DOMAIN, Domain.MATH.value, 0.3, _MATH_WEAK),
    (DOMAIN, Domain.SCIENCE.value, 0.8, _SCIENCE),
    (DOMAIN, Domain.ANALYSIS.value, 0.8, _ANALYSIS),
    (DOMAIN, Domain.MEDICAL.value, 0.8, _MEDICAL),
    (DOMAIN, Domain.LEGAL.value, 0.8, _LEGAL),
    (DOMAIN, Domain.FINANCE.value, 0.8, _FINANCE),
    (DOMAIN, Domain.CREATIVE.value, 0.8, _CREATIVE),
]
