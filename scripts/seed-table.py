"""Write docs/seed.md: every claim of the coach's post, its id, where it lives in knowledge/ and
the literature's qualifier. The claims and qualifiers are written here by hand; the "where"
column is read from the knowledge (items' `claims:`), and tests/test_seed_claims.py checks the
table against the knowledge both ways. Run: .venv/bin/python scripts/seed-table.py"""

from __future__ import annotations

from pathlib import Path

from crampdx import api

ROOT = Path(__file__).resolve().parent.parent

# id, the coach's claim (paraphrased close to his words), the literature's qualifier ("" = none)
CLAIMS: list[tuple[str, str, str]] = [
    ("seed_cause_unknown", "We don't know what causes a cramp.",
     "Agreed: still debated; two theories (Schwellnus 2009; Miller 2022)."),
    ("seed_nervous_system", "Cramps are related to the nervous system, muscles and neuromuscular "
     "firing.", "Cohort studies favour altered neuromuscular control (Schwellnus 2009)."),
    ("seed_painful", "Cramps can be very painful.", ""),
    ("seed_endurance_sites", "Endurance athletes cramp in the inner thigh and calf (his own "
     "cramps were always there).", "Calf most, then hamstrings and quads (Miller 2022)."),
    ("seed_sprinters_hamstrings", "Sprinters cramp in the hamstrings.",
     "A hamstring strain is a look-alike in sprinters."),
    ("seed_local_not_electrolytes", "Localised cramps that go when you stop or change the effort "
     "are not from electrolyte deficiency.", "Agreed by cohort studies: serum sodium and weight "
     "change did not differ (Schwellnus 2011; Hoffman 2015)."),
    ("seed_full_body_electrolytes", "Full-body cramps are the exception: then electrolytes "
     "matter.", "A minority picture in heavy, salty sweaters (Bergeron 2007); \"heat cramps\" "
     "is an inaccurate term (Miller 2022)."),
    ("seed_salt_foods_dont_help", "Salts, chips, spicy foods, gherkin juice, mustard, sniffing "
     "salts, vinegar will not help.", "Pickle juice shortened electrically induced cramps by a "
     "reflex (Miller 2010); spicy TRP agonists shortened lab cramps (Craighead 2017)."),
    ("seed_recovery_time_helps", "What helps is the time spent sitting or walking while "
     "refuelling and rehydrating.", "Acute relief: gentle static stretch (Miller 2022)."),
    ("seed_not_plain_water", "That does not mean drinking only plain water.",
     "Plain water after sweat loss lowers the cramp threshold (Lau 2019)."),
    ("seed_own_race", "His 150 km mountain race at 29 °C: dropped out at 50 km with cramps.", ""),
    ("seed_good_preparation_not_enough", "Despite a high-volume preparation and a great taper, "
     "one simple error ended it.", ""),
    ("seed_start_line_water", "Six hours waiting at the start sipping plain water, no "
     "electrolytes.", "Drink to thirst (Hew-Butler 2015)."),
    ("seed_drank_normally", "He drank normally, a bit more as he was thirstier, in the race too.",
     "Many EAH cases do not know they over-drank (Hew-Butler 2015)."),
    ("seed_cramp_progression", "Inner thigh and calf cramps from 45 km, then opposing muscles, "
     "quads, hamstrings, then face, core, hands, palms, neck, chest.", ""),
    ("seed_guess_hyponatremia", "\"I guess it was a simple hyponatremia\" (no hospital, no "
     "diagnosis).", "Cramps are not in the EAH consensus symptom list; only a blood sodium "
     "tells (Hew-Butler 2015). Printed as the coach's guess."),
    ("seed_overdrinking_little_salt_glucose", "Over-drinking with not enough salt nor glucose.",
     "Sodium does not prevent EAH in someone who over-drinks (Hew-Butler 2006; Hoffman & "
     "Myers 2015)."),
    ("seed_oxygen_theory", "A muscle with a proper oxygen supply will not cramp.",
     "No study crampdx knows tests this."),
    ("seed_oxygen_study", "A study he recalls: a muscle depleted of electrolytes and over-"
     "fatigued did not cramp while oxygen was forced into it.", "Unnamed; crampdx could not "
     "identify it."),
    ("seed_oxygen_depletion_causes", "Anything that depletes a muscle of oxygen causes it to "
     "cramp.", "Cohort studies favour neuromuscular fatigue (Schwellnus 2009)."),
    ("seed_cause_specificity", "Major cause: lack of specificity.", ""),
    ("seed_cause_lack_of_training", "Major cause: lack of training.", ""),
    ("seed_cause_core", "Major cause: lack of core function, bad posture, incorrect technique.",
     "No trial; coaching experience."),
    ("seed_core_breathing", "Core and posture problems affect breathing, a lot.", ""),
    ("seed_core_easy_to_solve", "A complex subject, but quite easy to solve.", ""),
    ("seed_cause_pacing", "Major cause: lack of control and circumstantial understanding when "
     "racing.", "Racing faster than usual is a cohort risk factor (Schwellnus 2011)."),
    ("seed_cause_glycogen", "Major cause: untopped glycogen stores.",
     "Matters in events over about 90 minutes (Burke 2011)."),
    ("seed_cause_no_glucose", "Major cause: no glucose with the electrolytes while racing.",
     "30-60 g/h for 1-2.5 h (Burke 2011), up to 90 g/h beyond (Jeukendrup 2014)."),
    ("seed_minor_contributors", "Minor: lack of sleep, bad sleeping habits, too much white sugar "
     "early, too much caffeine.", "No cohort study; coaching experience."),
    ("seed_too_many_chemicals", "Minor: \"too much chemicals used on the body\".",
     "Unspecific; no study."),
    ("seed_train_race_pace", "Train the paces you race at; a memory of form from months ago "
     "does not count.", "Racing faster than trained is a risk factor (Schwellnus 2011)."),
    ("seed_train_distances", "Train distances appropriate to the event.",
     "Longer races, more cramps (Schwellnus 2011)."),
    ("seed_specificity_environment", "Train the environment: elevation, technical ridges, "
     "altitude, cold or heat, backpack, trekking poles.", ""),
    ("seed_flat_not_mountain", "Five flat hours on concrete do not prepare five mountain hours "
     "with 3000 m up and down.", ""),
    ("seed_mountain_not_road", "24-hour mountain races with poles do not prepare seven steady "
     "hours of rolling road.", ""),
    ("seed_heat_cold", "Train in the heat or cold you will race in.",
     "10-14 days of heat acclimatization (Armstrong 2007)."),
    ("seed_disconnected_bodies", "Most people are disconnected from their bodies.", ""),
    ("seed_core_stages", "Learn to contract the core with the right timing, then posture, then "
     "technique.", ""),
    ("seed_zazulak", "Read Dr. Zazulak's \"Master Your Core\".", ""),
    ("seed_technique_list", "Foot strike, joint angles, knee lift, lean from the ankle, "
     "breathing, head position; cadence and arm movement are crucial.", ""),
    ("seed_lunges", "Deep walking lunges, long steps, no weights: 6 every 2nd-3rd lap topping at "
     "60, to 4 x 100 or 3 x 150 three weeks out, after 2-3 months of 1-2 sessions a week, "
     "adding a little each week.", "No trial shows lunges prevent cramps."),
    ("seed_lunges_eccentric", "They work through the eccentric contractions of the descent "
     "phase.", "Eccentric damage and the repeated-bout effect (Bontemps 2020)."),
    ("seed_lunges_restart", "Restart from zero before each race; do not increase without "
     "limit.", ""),
    ("seed_lunges_mobility", "Lunges are also mobility, stretching and conditioning.", ""),
    ("seed_lunges_with_other", "Not only lunges: in conjunction with other training routines.",
     ""),
    ("seed_nordic_walking", "Nordic walking for 20 years, with bounding and poling drills from "
     "cross-country skiers' dryland training.", ""),
    ("seed_descents_kill", "Climbing is easy; the descents kill: the eccentric contractions.",
     "Downhill running damages knee extensors most (Maeo 2017)."),
    ("seed_downhill_thrash", "Thrash the legs downhill a couple of times before the race; "
     "obligatory.", "One bout protects against the next (Bontemps 2020)."),
    ("seed_downhill_match", "Match the race: 5 x 1000 m descents want 800-1500 m hills, not "
     "250 m ones.", "Runners least used to downhill suffer most (Bontemps 2020)."),
    ("seed_downhill_local_hills", "Small hills can still train efficaciously if that is all "
     "there is.", ""),
    ("seed_downhill_repeats", "Run hard down and back up several times, or a tempo after the "
     "descent.", ""),
    ("seed_hill_circuit", "A quality hill circuit: uphill bounding, skipping, sprinting, fast "
     "downhill recovery, flats, about an hour.", "Frequency is crampdx's (once a week)."),
    ("seed_long_runs_count", "6 x 30 km in 12 weeks is too few: a long run every weekend, 20 "
     "or 30 in a preparation.", ""),
    ("seed_amateur_prep_too_short", "An amateur's preparation period is too short.", ""),
    ("seed_long_run_intensity", "The intensities chosen for long runs are most likely wrong.",
     ""),
    ("seed_long_run_lengths", "Long runs: 10 km runners 28-32 km, marathoners 35 km and more.",
     "Coaching practice; progression capped by the 30-day rule (Frandsen 2025)."),
    ("seed_long_run_why", "Why: to fit as much marathon intensity into long runs as the legs "
     "and aerobic function allow.", ""),
    ("seed_first_35k", "The first 35 km: walk 10 min, jog 25, run 80 at M+20 s and M+40 s, "
     "4 x 500 m at M-pace, 20 min cool-down.", "At slower paces those timings fall short of "
     "35 km; crampdx lengthens the middle part (crampdx)."),
    ("seed_time_develops", "4 x 500 m grows into 4 x 8000 m at M-pace with nothing but time.",
     ""),
    ("seed_ultra_base", "Run 35 km every weekend for a couple of years and you can run a 100 "
     "miler with little race-specific change.", ""),
    ("seed_adventure_runs", "Otherwise: longer and over-distance runs, half-distance tune-up "
     "races, adventure runs.", "No tune-up race in the last weeks (crampdx)."),
    ("seed_specificity_years", "Years of consistency let you set specificity aside for a while.",
     ""),
    ("seed_four_outings", "With only four outings to race day it can be a catastrophe, unless "
     "you have done it for years.", ""),
    ("seed_years_of_base", "The longer you have been doing it, the less specific fitness you "
     "lose.", ""),
    ("seed_long_run_most_important", "The long run is his most important anti-cramp factor.",
     ""),
    ("seed_three_keys", "Deep lunges, downhill running, long runs: his three go-tos for strong "
     "descents.", ""),
    ("seed_other_training", "He also does yoga, Pilates, kettlebells, athletic drills, weights, "
     "stretching, foam rolling, mobility, calisthenics, basketball, Nordic walking, cycling.",
     ""),
    ("seed_extras_on_top", "With nutrition, hydration, sleep, lifestyle and strength habits on "
     "top, the extras are only extras.", ""),
    ("seed_extra_magnesium_b6", "Extra: magnesium and B6.",
     "No meaningful effect on ordinary cramps (Garrison 2020)."),
    ("seed_extra_magnesium_oil", "Extra: magnesium oil on cramping areas in the 10 days before "
     "a race.", "Anecdotal; untested."),
    ("seed_extra_silica", "Extra: silica-based cream (GSA, Mountain Ice) 4-5 times a day for 10 "
     "days.", "Anecdotal; untested."),
    ("seed_extra_bfr", "Extra: blood-flow-restriction bands and compression gear in training.",
     "Safety note added (crampdx)."),
    ("seed_extra_ems", "Extra: EMS (Compex and similar).", "Safety note added (crampdx)."),
    ("seed_extra_sauna", "Extra: sauna, infrared or other light therapies.",
     "Safety note added (crampdx)."),
    ("seed_extra_clay", "Extra: green or white clay, zeolite or dolomite poultice every second "
     "day for 3 weeks.", "Anecdotal; untested."),
    ("seed_extra_quinton", "Extra: drinking Quinton hypertonic.", "Anecdotal; untested."),
    ("seed_extra_d3_iron_b12", "Check D3, iron and B12 levels and correct them.",
     "Ordinary medical screening (IOC consensus, Maughan 2018), not an anecdote."),
    ("seed_race_day_electrolytes", "Race day: electrolytes with the fluids, glucose with the "
     "electrolytes.", "Sodium amounts by temperature are crampdx's rule of thumb."),
]


def where(kb) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Claim id -> the knowledge items that encode it, as 'kind id'."""
    out: dict[str, list[str]] = {}
    for kind, label in (("causes", "cause"), ("findings", "finding"), ("rules", "rule"),
                        ("remedies", "remedy"), ("plans", "plan"), ("notices", "notice")):
        for item in kb.kind(kind).values():
            for claim in item.claims:
                out.setdefault(claim, []).append(f"{label} `{item.id}`")
    return out


def table() -> str:
    kb = api.knowledge()
    places = where(kb)
    lines = [
        "# The coach's post, claim by claim",
        "",
        "Every distinct claim of the seed (`/work/shared/seeds/`, the coach's blog post "
        "\"Running Cramps - How did I solve the issue?\") with its id, the knowledge items that "
        "encode it (their `claims:` field) and, where the literature differs or adds, its "
        "qualifier. Reports print the coach's claims with his label (coaching experience, the "
        "coach's extras, or the coach's guess) and the qualifier beside them.",
        "",
        "Generated by `scripts/seed-table.py`; `tests/test_seed_claims.py` fails when a claim "
        "in this table is not in the knowledge, or the knowledge names a claim not here.",
        "",
        f"{len(CLAIMS)} claims.",
        "",
        "| id | the coach's claim | where in knowledge/ | the literature's qualifier |",
        "|---|---|---|---|",
    ]
    for claim_id, claim, qualifier in CLAIMS:
        lines.append(f"| `{claim_id}` | {claim} | {', '.join(places.get(claim_id, []))} | "
                     f"{qualifier} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "seed.md").write_text(table(), encoding="utf-8")
    print(f"wrote docs/seed.md ({len(CLAIMS)} claims)")
