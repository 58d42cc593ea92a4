"""Subject vocabulary: the field of knowledge a request draws on, finer than its domain.

Each group's label is `domain/subject`, for example `science/physics`. The
classifier names the subject with the most distinct terms as the request's
subdomain, and counts the distinct subject terms as knowledge density: a
question that uses many terms of a field needs a model that knows the field.
Terms overlap with the domain vocabularies on purpose, because subject terms
are counted separately from domain evidence.

English carries the lists. Subject terms weigh 1.0, and the groups whose words
also occur in everyday prose (history, engineering, arithmetic) weigh 0.5.
`router.scoring.SUBJECT_SHARES` sets how much each subject adds to the score.
"""

from __future__ import annotations

from router.vocabulary import SUBJECT

_PHYSICS = """
physics | physicist* | quantum | momentum | velocity | velocities | acceleration | friction |
torque | kinetic energy | potential energy | electric field* | magnetic field* | electric charge* |
point charge* | capacitor* | capacitance | resistor* | resistance of | voltage | ohm* | circuit* |
wavelength* | refraction | refractive | diffraction | interference pattern* | lens | lenses |
optics | thermodynamic* | heat engine* | carnot | entropy | gravitational | gravity | orbit* |
relativity | photon* | electron* | proton* | neutron* | nucleus | nuclei | oscillat* |
pendulum* | spring constant | harmonic motion | newton* | joule* | watt* | coulomb* | tesla |
centripetal | projectile* | inertia | angular | buoyan* | pressure of | frictionless | kinematic* |
semiconductor* | transistor* | inductor* | inductance | electromagnet* | radiation | radioactive |
half life | decay constant | particle* | spectrum | doppler | black body | blackbody
"""

_CHEMISTRY = """
chemistry | chemical* | molecule* | molecular | molar* | molarity | moles of | reaction* |
oxidation | reduction potential | redox | acid* | acidic | alkaline | ph of | buffer solution* |
titration | equilibrium constant | catalyst* | covalent | ionic | ion | ions | electronegativ* |
isotope* | orbital* | stoichiometr* | compound* | precipitat* | organic | alkane* | alkene* |
alkyne* | ester* | enthalpy | gibbs | hydrocarbon* | solubility | solvent* | solute |
valence | atomic number | atomic mass | periodic table | electrolys* | polymer* | aqueous |
exothermic | endothermic | gas constant | ideal gas | mol | element*
"""

_BIOLOGY = """
biology | biological | cell | cells | cellular | dna | rna | gene | genes | genetic* | protein* |
enzyme* | mitosis | meiosis | chromosom* | evolution* | species | ecosystem* | organism* |
bacteri* | virus* | viral | mutation* | allele* | phenotyp* | genotyp* | photosynthe* |
membrane* | tissue* | hormone* | neuron* | mitochondri* | ribosom* | nucleotide* | amino acid* |
heredit* | natural selection | population genetics | homozygous | heterozygous | recessive |
dominant allele* | transcription | translation of mrna | mrna | metabolism | immune | antibod* |
antigen* | pathogen* | embryo* | zygote* | plant* | fungi | fungus | cytoplasm | ecolog*
"""

_PSYCHOLOGY = """
psychology | psychologist* | psychological | cognitive | cognition | behaviorism | behaviourism |
conditioning | reinforcement | stimulus | stimuli | perception | personality | freud* | piaget* |
developmental | schizophren* | psychotherap* | psychiatr* | neurotransmitter* | dopamine |
serotonin | attachment style* | self esteem | motivation | intelligence test* | iq |
short term memory | long term memory | social psychology | conformity | bystander | placebo
"""

_MEDICINE = """
patient* | diagnos* | symptom* | clinical | physician* | syndrome* | chronic | acute | infection* |
anatomy | anatomical | artery | arteries | vein* | nerve* | muscle* | bone* | ligament* |
organ* | kidney* | liver | lung* | heart | cardiac | blood | plasma | pathology | pharmacolog* |
drug* | dose | dosage | mg | treatment* | therapy | surgery | disease* | disorder* | tumor* |
tumour* | cancer* | insulin | diabetes | vaccin* | epidemiolog* | nutrition* | vitamin* | diet
"""

_LAW = """
law | laws | legal | legally | court | courts | judge | jury | plaintiff* | defendant* |
statute* | tort* | negligen* | contract* | felony | misdemeanor | hearsay | jurisdiction* |
constitution* | amendment* | due process | common law | prosecut* | testimony | verdict* |
precedent* | appeal* | liable | liability | breach | damages | injunction | easement* |
landlord* | tenant* | lease* | deed* | mortgag* | warranty | trust | trustee* | estate* |
conveyance | grantor | grantee | covenant* | crime* | criminal* | larceny | burglary | robbery |
homicide | murder* | manslaughter | battery | assault | trespass* | fraud* | conspiracy |
search warrant* | fourth amendment | first amendment | supreme court | evidence rule* |
statutory | legislat* | regulat* | ordinance* | attorney* | lawyer* | counsel
"""

_ECONOMICS = """
economics | economist* | economy | economic* | gdp | inflation | deflation | monetary |
fiscal | supply and demand | demand curve* | supply curve* | elasticity | marginal |
monopol* | oligopol* | tariff* | unemployment | interest rate* | aggregate demand |
aggregate supply | consumer surplus | producer surplus | opportunity cost | comparative advantage |
central bank | federal reserve | money supply | recession | exchange rate* | trade deficit |
price ceiling | price floor | externalit* | perfect competition | market equilibrium |
equilibrium price | utility | deadweight loss | keynes* | market* | price* | cost* | firm | firms
"""

_ACCOUNTING = """
accounting | accountant* | depreciation | amortization | balance sheet* | ledger* | audit* |
auditor* | asset* | liabilit* | equity | revenue* | accrual* | accrued | income statement* |
cash flow* | net income | gross profit | inventory | receivable* | payable* | dividend* |
shareholder* | stockholder* | fiscal year | gaap | ifrs | tax | taxes | taxable | deduction* |
interest expense | bond* | present value | future value | annuit* | discount rate
"""

_ETHICS = """
ethic* | moral | morally | morality | immoral | virtue* | utilitarian* | deontolog* | kant* |
categorical imperative | consequential* | wrongdoing | moral standard* | right and wrong |
ethically | duty | duties | obligation* | justice | fairness | euthanasia | abortion |
animal rights | human rights | dignity | consent | autonomy | altruis* | egois* | relativism
"""

_PHILOSOPHY = """
philosophy | philosopher* | philosophical | epistemolog* | metaphysic* | ontolog* |
aristotle | plato | socrat* | descartes | hume | locke | nietzsche | hobbes | rousseau |
mill's | existential* | empiricis* | rationalis* | determinism | free will | dualism |
materialism | phenomenolog* | stoic* | skeptic* | sceptic* | theism | atheism
"""

_LOGIC = """
logic | logical | syllogism* | premise* | fallac* | valid argument | invalid argument |
propositional | predicate logic | truth table* | entail* | tautolog* | contradiction* |
conclusion follows | deductive | inductive | modus ponens | modus tollens | conditional statement* |
necessary condition | sufficient condition | if and only if | counterexample*
"""

_HISTORY = """
history | historian* | historical | century | centuries | empire* | dynasty | dynasties |
revolution* | treaty | treaties | colonial* | colonies | medieval | ancient | reign* | monarch* |
war | wars | civil war | world war | cold war | independence | feudal* | renaissance |
industrial revolution | imperialism | nationalism | abolition* | slavery | prehistor* |
archaeolog* | neolithic | paleolithic | civilization* | civilisation*
"""

_STATISTICS = """
statistic* | probability | probabilities | sample | samples | sampling | variance |
standard deviation | regression | hypothesis test* | null hypothesis | confidence interval* |
p value | distribution* | normal distribution | binomial | poisson | correlation* | random variable* |
expected value | estimator* | unbiased | bias | significance level | t test | chi square |
z score | outlier* | median | percentile* | margin of error | survey* | experiment* | observational
"""

_COMPUTING = """
algorithm* | time complexity | space complexity | big o | recursion | recursive | data structure* |
binary tree* | linked list* | hash table* | stack | queue | heap | graph traversal | sorting |
compiler* | operating system* | memory address* | cache | pipelin* | instruction set | boolean |
neural network* | gradient descent | overfitting | training data | classifier* | machine learning |
supervised | unsupervised | backpropagation | loss function | encryption | cryptograph* |
public key | hash function* | protocol* | tcp | packet* | turing machine* | automat* | regular expression*
"""

_ENGINEERING = """
engineering | engineer* | beam* | stress | strain | load | turbine* | motor* | generator* |
transformer* | rpm | horsepower | efficiency | heat transfer | fluid* | flow rate | reynolds |
signal* | amplifier* | filter* | impedance | three phase | alternating current | direct current |
shaft | gear* | pump* | boiler* | combustion | thermal | conductivity | tensile
"""

_ALGEBRA = """
equation* | polynomial* | quadratic | linear equation* | system of equations | inequalit* |
variable* | coefficient* | exponent* | logarithm* | matri* | determinant | eigen* | vector* |
function | functions | domain and range | slope | intercept | factor* | root* | solve for |
group | groups | subgroup* | ring | rings | field extension* | isomorph* | homomorph* | modulo |
permutation* | derivative* | integral* | limit of | calculus | series | sequence*
"""

_GEOMETRY = """
geometry | geometric | triangle* | circle* | angle* | radius | diameter | circumference |
perimeter | area of | volume of | polygon* | rectangle* | square* | cube* | sphere* | cylinder* |
cone* | hypotenuse | pythagorean | parallel | perpendicular | coordinate* | trigonometr* |
sine | cosine | tangent
"""

_ARITHMETIC = """
how many | how much | total | each | per | percent* | fraction* | half | twice | times as |
dollars | cents | price | cost | costs | pay | paid | earn* | spend* | sold | buy* | bought |
hours | minutes | days | weeks | miles | km | per hour | speed | rate | ratio* | average |
remainder | sum | difference | product | altogether | left over | remaining
"""

_WEAK = 0.5
GROUPS: list[tuple[str, str, float, str]] = [
    (SUBJECT, "science/physics", 1.0, _PHYSICS),
    (SUBJECT, "science/chemistry", 1.0, _CHEMISTRY),
    (SUBJECT, "science/biology", 1.0, _BIOLOGY),
    (SUBJECT, "science/psychology", 1.0, _PSYCHOLOGY),
    (SUBJECT, "medical/medicine", 1.0, _MEDICINE),
    (SUBJECT, "legal/law", 1.0, _LAW),
    (SUBJECT, "finance/economics", 1.0, _ECONOMICS),
    (SUBJECT, "finance/accounting", 1.0, _ACCOUNTING),
    (SUBJECT, "analysis/ethics", 1.0, _ETHICS),
    (SUBJECT, "analysis/philosophy", 1.0, _PHILOSOPHY),
    (SUBJECT, "analysis/logic", 1.0, _LOGIC),
    (SUBJECT, "factual/history", _WEAK, _HISTORY),
    (SUBJECT, "math/statistics", 1.0, _STATISTICS),
    (SUBJECT, "coding/computing", 1.0, _COMPUTING),
    (SUBJECT, "science/engineering", _WEAK, _ENGINEERING),
    (SUBJECT, "math/algebra", 1.0, _ALGEBRA),
    (SUBJECT, "math/geometry", 1.0, _GEOMETRY),
    (SUBJECT, "math/arithmetic", _WEAK, _ARITHMETIC),
]
