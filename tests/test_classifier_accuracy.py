"""Regression guard on the development sets (not timed): they must not silently get worse.

dev.jsonl is the set the lexicon was tuned on; dev2.jsonl was written independently and is used
only to check that fixes generalise (its sentences are never copied into the lexicon). dev3.jsonl is
adversarial (indirect danger, homophones, pinyin, emoji-only cries, jokes and past events); it was
improved through mechanisms and vocabulary, never by copying its sentences, so its floor is lower.
dev4.jsonl was written independently and fixed only by category (homophones, dialect, telegraphic
fragments, emoji, hidden alarms, jokes and conditionals). dev5 to dev237 were written by helpers
who read neither the lexicon nor the other sets, each measured unseen first and then fixed by concept
classes (`[urgent.classes]`: a person near a harm, water near live wiring …) rather than by their
sentences. Their label floors are lower: their urgent messages split property/grid by what caused the
danger, a line the writers drew differently from one another. dev10 and dev11 keep a few urgent
misses on purpose (a danger told across three clauses, a crack "昨天才一指宽" whose past word sits in
the danger's clause); dev15 and dev16 each keep one (a lift stuck between floors typed in pinyin with
numbers, a missing manhole cover two clauses away from the children), as do dev20 (thinner fumes
spreading on a stair while someone smokes, the smoking word also a look-alike) and dev21 (a long
message typed wholly in pinyin, where `near` rules do not reach), dev23 one (two concepts three clauses
apart; a crossing whose lights are out, told with a near miss 差点撞上, was read calm by the odds for one
session and is caught again) and dev25 (six in mixed scripts: typed pinyin, English, Hokkien, a Cantonese lift written 𨋢):
catching them would take rules fitted to those sentences. dev39 keeps one (a mother
vomiting by the road, typed wholly in pinyin), dev40 one (a lift open on an empty shaft, in pinyin), dev41
two (a blocked catheter, a cry of nonsense letters) and dev42 seven, most of them long messages whose two
halves stand three clauses or more apart. dev43 keeps two (a lift door closing on a woman, a child reaching
for a bare wire), dev47 four (water in a light fitting, a fire from fireworks, a rooftop told in pinyin, a
missed dialysis in Traditional characters) and dev48 one (a family put out in the freezing cold). dev49 and dev50 were measured unseen after this session's
fixes and not tuned on for urgency: dev49 keeps seven misses (fire told as 着了, an open shaft near a blind man,
exhaust in a garage in English, a cracked glass canopy over seated elders told two clauses apart …); dev53 keeps one (a lift falling with a boy inside,
typed wholly in pinyin), dev56 two (sewage rising round an old man indoors, children at bare wires three
clauses from the wires), dev62 one (a gas main dug through, typed wholly in pinyin) and dev94 one (two men
claiming to be from the gas company, still at a lone resident's door: 说是 frames the clause); dev114 (terse
messages with no cry word) three: a knock typed in pinyin, a carbon-monoxide alarm going off beside a
headache (the alarm is a look-alike of 报警), an impostor collecting money door to door; dev128 one (a father
living alone whose phone goes unanswered, told in Cantonese three clauses from the words that he lives alone) and
dev130 one (a theft going on now, typed wholly in pinyin); dev132 (English and pinyin) one, typed wholly in
pinyin (a grandfather with dementia gone), and dev134 one (a father of 87 alone at home whose phone goes unanswered, two clauses away). dev142 (scams)
keeps ten swindles going on now whose swindler and money stand two clauses or more apart, or that name no
swindler at all (a grandmother told by "the procuratorate" to wait in a hotel, a man on his way to meet an online
love with all his savings); its labels are low because its writer files every scam under grid, where the
lexicon still sends a resident's pension or health worries to service. dev11's writer files a
resident's own medical emergency at home under service, earlier writers under grid, hence its floor. dev97
and dev101 are made of messages that only sound dangerous (stable hazards, injuries already treated, the aftermath
of an emergency): their danger words pull property and faq messages toward grid safety, hence their floors;
dev121's writers play dangers down (不要紧, 可能我想多了) and file many a resident's own mishap under grid; dev146's writer files family crises (a carer who hits, a
child often alone) under grid, where 老伴, 保姆 and 孩子 still pull toward service. dev148 (animals) keeps one miss
(two dogs fighting among children, in English); dev149 (a week of outages) has the lowest label floor of its
round: 停电, 没电 and 电梯停了 stand in nearly every message, whatever the matter is. dev151 (follow-ups) keeps one miss (a dog biting a child now, in a message that
opens on the earlier complaint: 上回 frames the dog's clause), dev152 one (a missing manhole cover and a
grandmother who stepped in, in Cantonese, two clauses apart). dev175 keeps one (a mother "一个人在新抚区住" whose
phone has rung all day: the words that she lives alone are split by the place), dev177 one (an ambulance blocked
by cars with a patient waiting upstairs, worded as the usual parking complaint 救护车进不来), dev179 one (a wooden stair that "塌了一截", the look-alike of a
crumbled wall corner), dev180 two in Cantonese (a garage flooded to the wheels, a baby "bb" locked in a car) and
dev181 one (a lone grandmother who does not answer door or phone, three clauses from the word that she lives alone).
dev187 keeps one (a shop sign about to fall in a sandstorm: 沙尘暴 frames its clause), dev188 two (a carport roof
half torn off, and a pole leaning over a bus stop, each told across clauses), dev190 one (a pan fire "火还没灭"
two clauses from 炒菜, which frames the fire's clause); dev190 (small mishaps at home) holds its precision just
above 0.8: scrapes, stings and falls already over, told with a repair request, are its false alarms.
dev191 keeps one (a bathroom ceiling soaked through, plaster falling, a mother still inside: 墙皮往下掉 is the
look-alike of peeling plaster); dev197 (smart devices and alarms) has the lowest label floor of its round: 报警
and 报警器 stand in nearly every message, a device's alarm as often as a call to the police.
dev210 keeps one (a mother living alone who said the roof fell in and then stopped answering, three clauses
from the words that she lives alone) and dev212 one (hot oil splashed on a child's face, a blistering burn: the
same words tell dev190's minor burns, which its writer keeps calm). dev219 keeps one (a child tugging at a
cable run from a window, "线通着电的", the child and the live wire a clause and more than ten characters apart), and dev226 one like dev212's (hot oil
on a child's arm, "胳膊全红了"). dev236 keeps one (a child alone on a balcony "站着扒栏杆": 扒栏杆 sounds like 把栏杆,
which far more often asks for a railing to be mended).
The urgency odds (bot.urgency_odds) are counted from these same sets, so these floors guard against
regressions only; what the classifier does on messages it has never seen is measured in PERFORMANCE.md."""

from pathlib import Path

import pytest

from bot.evaluation import evaluate, read_jsonl

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "name, f1_floor, recall_floor",
    [("dev", 0.9, 1.0), ("dev2", 0.9, 1.0), ("dev3", 0.86, 1.0), ("dev4", 0.84, 1.0), ("dev5", 0.88, 1.0),
     ("dev6", 0.86, 1.0), ("dev7", 0.82, 1.0), ("dev8", 0.9, 1.0), ("dev9", 0.82, 1.0),
     ("dev10", 0.9, 0.96), ("dev11", 0.7, 0.98), ("dev12", 0.88, 1.0), ("dev13", 0.86, 1.0), ("dev14", 0.76, 1.0),
     ("dev15", 0.84, 0.97), ("dev16", 0.8, 0.99),
     ("dev17", 0.85, 1.0), ("dev18", 0.72, 1.0), ("dev19", 0.9, 1.0), ("dev20", 0.8, 0.99), ("dev21", 0.88, 0.98),
     ("dev22", 0.84, 1.0), ("dev23", 0.84, 0.98), ("dev24", 0.76, 0.99), ("dev25", 0.85, 0.91),
     ("dev26", 0.88, 1.0), ("dev27", 0.83, 1.0), ("dev28", 0.92, 1.0), ("dev29", 0.92, 1.0),
     ("dev30", 0.91, 0.95), ("dev31", 0.7, 0.99), ("dev32", 0.94, 1.0), ("dev33", 0.87, 0.95),
     ("dev34", 0.85, 1.0), ("dev35", 0.85, 1.0), ("dev36", 0.88, 1.0), ("dev37", 0.87, 1.0), ("dev38", 0.86, 1.0),
     ("dev39", 0.89, 0.98), ("dev40", 0.86, 0.98), ("dev41", 0.9, 0.96), ("dev42", 0.81, 0.92),
     ("dev43", 0.91, 0.97), ("dev44", 0.92, 1.0), ("dev45", 0.92, 1.0), ("dev46", 0.9, 1.0), ("dev47", 0.92, 0.95),
     ("dev48", 0.83, 0.98), ("dev49", 0.85, 0.91), ("dev50", 0.92, 1.0),
     ("dev51", 0.93, 1.0), ("dev52", 0.94, 1.0), ("dev53", 0.89, 0.98), ("dev54", 0.92, 1.0),
     ("dev55", 0.92, 1.0), ("dev56", 0.85, 0.97), ("dev57", 0.94, 1.0), ("dev58", 0.96, 1.0),
     ("dev59", 0.92, 1.0), ("dev60", 0.94, 1.0), ("dev61", 0.97, 1.0), ("dev62", 0.89, 0.98),
     ("dev63", 0.95, 1.0), ("dev64", 0.92, 1.0), ("dev65", 0.93, 1.0), ("dev66", 0.92, 1.0),
     ("dev67", 0.96, 1.0), ("dev68", 0.95, 1.0), ("dev69", 0.97, 1.0), ("dev70", 0.91, 1.0), ("dev71", 0.96, 1.0),
     ("dev72", 0.94, 1.0), ("dev73", 0.96, 1.0), ("dev74", 0.87, 1.0),
     ("dev75", 0.96, 1.0), ("dev76", 0.94, 1.0), ("dev77", 0.94, 1.0), ("dev78", 0.94, 1.0),
     ("dev79", 0.88, 1.0), ("dev80", 0.89, 1.0), ("dev81", 0.89, 1.0), ("dev82", 0.9, 1.0),
     ("dev83", 0.97, 1.0), ("dev84", 0.92, 1.0), ("dev85", 0.88, 1.0), ("dev86", 0.9, 1.0),
     ("dev87", 0.95, 1.0), ("dev88", 0.96, 1.0), ("dev89", 0.93, 1.0), ("dev90", 0.82, 1.0),
     ("dev91", 0.96, 1.0), ("dev92", 0.91, 1.0), ("dev93", 0.95, 1.0), ("dev94", 0.9, 0.98),
     ("dev95", 0.93, 1.0), ("dev96", 0.93, 1.0), ("dev97", 0.81, 1.0), ("dev98", 0.92, 1.0),
     ("dev99", 0.94, 1.0), ("dev100", 0.94, 1.0), ("dev101", 0.78, 1.0), ("dev102", 0.94, 1.0),
     ("dev103", 0.93, 1.0), ("dev104", 0.87, 1.0), ("dev105", 0.9, 1.0), ("dev106", 0.95, 1.0),
     ("dev107", 0.93, 1.0), ("dev108", 0.9, 1.0), ("dev109", 0.87, 1.0), ("dev110", 0.88, 1.0),
     ("dev111", 0.93, 1.0), ("dev112", 0.9, 1.0), ("dev113", 0.91, 1.0), ("dev114", 0.96, 0.93),
     ("dev115", 0.95, 1.0), ("dev116", 0.94, 1.0), ("dev117", 0.93, 1.0), ("dev118", 0.91, 1.0),
     ("dev119", 0.94, 1.0), ("dev120", 0.9, 1.0), ("dev121", 0.85, 1.0), ("dev122", 0.91, 1.0),
     ("dev123", 0.91, 1.0), ("dev124", 0.93, 1.0), ("dev125", 0.9, 1.0), ("dev126", 0.86, 1.0),
     ("dev127", 0.9, 1.0), ("dev128", 0.86, 0.95), ("dev129", 0.88, 1.0), ("dev130", 0.88, 0.97),
     ("dev131", 0.9, 1.0), ("dev132", 0.84, 0.96), ("dev133", 0.94, 1.0), ("dev134", 0.86, 0.96),
     ("dev135", 0.92, 1.0), ("dev136", 0.91, 1.0), ("dev137", 0.85, 1.0), ("dev138", 0.9, 1.0),
     ("dev139", 0.9, 1.0), ("dev140", 0.9, 1.0), ("dev141", 0.85, 1.0), ("dev142", 0.75, 0.71),
     ("dev143", 0.9, 1.0), ("dev144", 0.88, 1.0), ("dev145", 0.91, 1.0), ("dev146", 0.85, 1.0),
     ("dev147", 0.9, 1.0), ("dev148", 0.85, 0.96), ("dev149", 0.79, 1.0), ("dev150", 0.94, 1.0),
     ("dev151", 0.92, 0.96), ("dev152", 0.92, 0.96), ("dev153", 0.93, 1.0), ("dev154", 0.94, 1.0),
     ("dev155", 0.89, 0.96), ("dev156", 0.96, 1.0), ("dev157", 0.9, 1.0), ("dev158", 0.86, 1.0),
     ("dev159", 0.93, 1.0), ("dev160", 0.89, 1.0), ("dev161", 0.85, 1.0), ("dev162", 0.94, 1.0),
     ("dev163", 0.97, 1.0), ("dev164", 0.94, 1.0), ("dev165", 0.91, 1.0), ("dev166", 0.91, 1.0),
     ("dev167", 0.89, 1.0), ("dev168", 0.89, 1.0), ("dev169", 0.92, 1.0), ("dev170", 0.89, 1.0),
     ("dev171", 0.9, 1.0), ("dev172", 0.92, 1.0), ("dev173", 0.93, 1.0), ("dev174", 0.87, 1.0),
     ("dev175", 0.94, 0.96), ("dev176", 0.91, 1.0), ("dev177", 0.86, 0.96), ("dev178", 0.93, 1.0),
     ("dev179", 0.94, 0.96), ("dev180", 0.89, 0.92), ("dev181", 0.84, 0.96), ("dev182", 0.93, 1.0),
     ("dev183", 0.92, 1.0), ("dev184", 0.93, 1.0), ("dev185", 0.91, 1.0), ("dev186", 0.92, 1.0),
     ("dev187", 0.94, 0.96), ("dev188", 0.86, 0.92), ("dev189", 0.9, 1.0), ("dev190", 0.87, 0.96),
     ("dev191", 0.9, 0.96), ("dev192", 0.82, 1.0), ("dev193", 0.86, 1.0), ("dev194", 0.91, 1.0),
     ("dev195", 0.86, 1.0), ("dev196", 0.9, 1.0), ("dev197", 0.75, 1.0), ("dev198", 0.9, 1.0),
     ("dev199", 0.87, 1.0), ("dev200", 0.81, 1.0), ("dev201", 0.89, 1.0), ("dev202", 0.8, 1.0),
     ("dev203", 0.85, 1.0), ("dev204", 0.89, 1.0), ("dev205", 0.83, 1.0), ("dev206", 0.8, 1.0),
     ("dev207", 0.91, 1.0), ("dev208", 0.88, 1.0), ("dev209", 0.84, 1.0), ("dev210", 0.76, 0.96),
     ("dev211", 0.79, 1.0), ("dev212", 0.81, 0.96), ("dev213", 0.87, 1.0), ("dev214", 0.76, 1.0),
     ("dev215", 0.88, 1.0), ("dev216", 0.85, 1.0), ("dev217", 0.91, 1.0), ("dev218", 0.86, 1.0),
     ("dev219", 0.82, 0.96), ("dev220", 0.86, 1.0), ("dev221", 0.81, 1.0), ("dev222", 0.81, 1.0),
     ("dev223", 0.77, 1.0), ("dev224", 0.84, 1.0), ("dev225", 0.91, 1.0), ("dev226", 0.86, 0.96),
     ("dev227", 0.88, 1.0), ("dev228", 0.8, 1.0), ("dev229", 0.8, 1.0), ("dev230", 0.79, 1.0),
     ("dev231", 0.94, 1.0), ("dev232", 0.86, 1.0), ("dev233", 0.78, 1.0), ("dev234", 0.89, 1.0),
     ("dev235", 0.84, 1.0), ("dev236", 0.86, 0.96), ("dev237", 0.81, 1.0)],
)
def test_dev_accuracy(clf, name, f1_floor, recall_floor):
    path = DATA / f"{name}.jsonl"
    if not path.exists():
        pytest.skip(f"{name} set not present")
    report = evaluate(clf, read_jsonl(path))
    assert report.macro_f1 >= f1_floor, report.render()
    assert report.urgent_recall >= recall_floor, report.render()
    assert report.urgent_precision >= 0.8, report.render()
