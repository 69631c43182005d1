"""Scripts and metadata of the sample dictations; samples/generate.py turns them into audio.

`text` is exactly what the voice says. Command-style scripts spell out the dictated punctuation
("period", "comma", "new paragraph") and carry no punctuation marks of their own; plain scripts
are natural prose. Numbers are written as spoken ("one forty two over eighty eight").
Voices: "piper:<length_scale>" is en_US-joe-medium; "espeak:<voice>:<words per minute>".
"""

PIPER = "piper"

SAMPLES: list[dict] = [
    {
        "name": "cardiology_hf_discharge",
        "format": "flac",
        "voice": "piper:1.0",
        "style": "commands",
        "mrn": "MRN100231",
        "patient_name": "Whitaker, Harold",
        "birth_date": "1949-03-14",
        "sex": "male",
        "encounter": "V2026-11-0412",
        "encounter_type": "inpatient",
        "author": "dr.okafor",
        "report_type": "discharge_summary",
        "specialty": "cardiology",
        "dictated_at": "2026-11-20T16:42:00",
        "text": """
Discharge summary new paragraph
Admission diagnosis colon acute on chronic systolic heart failure period
new paragraph
Hospital course colon Mr Whitaker is a seventy seven year old man with hypertension comma
paroxysmal atrial fibrillation and hyperlipidemia who presented with three days of worsening
dyspnea and orthopnea period He denies chest pain period Chest x-ray showed pulmonary edema
and B type natriuretic peptide was fourteen hundred period Echocardiogram showed an ejection
fraction of thirty percent period He was diuresed with furosemide forty milligrams IV twice daily
and lost four kilograms period Troponin was negative times two comma no evidence of acute
coronary syndrome period
new paragraph
Discharge medications colon number one apixaban five milligrams twice daily next number
metoprolol succinate fifty milligrams daily next number furosemide forty milligrams by mouth
daily next number atorvastatin forty milligrams at bedtime period
new paragraph
Follow up in cardiology clinic in one week with a basic metabolic panel period
""",
        "key_terms": [
            "acute on chronic systolic heart failure",
            "hypertension",
            "paroxysmal atrial fibrillation",
            "hyperlipidemia",
            "dyspnea",
            "orthopnea",
            "pulmonary edema",
            "B type natriuretic peptide",
            "echocardiogram",
            "ejection fraction",
            "furosemide",
            "apixaban",
            "metoprolol succinate",
            "atorvastatin",
            "troponin",
            "acute coronary syndrome",
            "basic metabolic panel",
        ],
        "expected_codes": {
            "diagnoses": ["I11.0", "I50.23", "I48.0", "E78.5", "Z79.01"],
            "procedures": [],
        },
        "negated_findings": ["chest pain", "acute coronary syndrome"],
    },
    {
        "name": "surgery_appendectomy_operative",
        "format": "flac",
        "voice": "espeak:en-us+m3:172",
        "style": "plain",
        "mrn": "MRN100457",
        "patient_name": "Delgado, Marisol",
        "birth_date": "1998-07-02",
        "sex": "female",
        "encounter": "V2026-11-0533",
        "encounter_type": "inpatient",
        "author": "dr.brennan",
        "report_type": "operative_note",
        "specialty": "general surgery",
        "dictated_at": "2026-11-21T02:15:00",
        "text": """
Operative note. Preoperative diagnosis: acute appendicitis. Postoperative diagnosis: acute
appendicitis with appendicolith and localized peritonitis, without perforation. Procedure:
laparoscopic appendectomy. Surgeon: Doctor Brennan. Anesthesia: general endotracheal.
Indications: the patient is a twenty eight year old woman with twelve hours of right lower
quadrant pain, a white count of fifteen thousand, and a CT scan showing a dilated appendix with
an appendicolith. Pregnancy test was negative. Findings: an inflamed, nonperforated appendix with
purulent fluid in the right paracolic gutter. There was no evidence of abscess or gangrene.
Description of procedure: after induction of general anesthesia, pneumoperitoneum was established
through an umbilical port. The mesoappendix was
divided with a harmonic scalpel, and the base of the appendix was divided with an endoscopic
stapler. The specimen was removed in a retrieval bag. Estimated blood loss: ten milliliters.
She received cefoxitin two grams IV. There were no
complications.
""",
        "key_terms": [
            "acute appendicitis",
            "appendicolith",
            "localized peritonitis",
            "laparoscopic appendectomy",
            "general endotracheal",
            "right lower quadrant",
            "CT scan",
            "paracolic gutter",
            "pneumoperitoneum",
            "umbilical port",
            "mesoappendix",
            "harmonic scalpel",
            "endoscopic stapler",
            "cefoxitin",
        ],
        "expected_codes": {"diagnoses": ["K35.30"], "procedures": ["0DTJ4ZZ"]},
        "negated_findings": ["perforation", "abscess", "gangrene", "complications"],
    },
    {
        "name": "pulmonology_copd_soap",
        "format": "ogg",
        "voice": "piper:1.05",
        "style": "plain",
        "mrn": "MRN100782",
        "patient_name": "Kowalski, Irene",
        "birth_date": "1956-11-23",
        "sex": "female",
        "encounter": "V2026-11-0611",
        "encounter_type": "outpatient",
        "author": "dr.nakamura",
        "report_type": "soap",
        "specialty": "pulmonology",
        "dictated_at": "2026-11-22T10:05:00",
        "text": """
Subjective. Mrs Kowalski is a seventy year old woman with chronic obstructive pulmonary disease
who comes in with five days of increased cough, wheezing, and yellow sputum. She is using her
albuterol inhaler four times a day. She quit smoking ten years ago. She denies fever, hemoptysis,
or chest pain. Objective. Blood pressure one thirty eight over seventy six, heart rate ninety six,
respiratory rate twenty two, oxygen saturation ninety one percent on room air, temperature
thirty seven point one. She has diffuse expiratory wheezes with a prolonged expiratory phase and
no crackles. There is no lower extremity edema. Peak flow is one hundred eighty. Assessment.
Acute exacerbation of chronic obstructive pulmonary disease, without evidence of pneumonia. Plan.
Prednisone forty milligrams daily for five days. Doxycycline one hundred milligrams twice daily
for five days. Continue tiotropium and albuterol as needed. Chest x-ray today to rule out
pneumonia. Return in one week, sooner if she becomes more short of breath.
""",
        "key_terms": [
            "chronic obstructive pulmonary disease",
            "wheezing",
            "sputum",
            "albuterol",
            "hemoptysis",
            "oxygen saturation",
            "expiratory wheezes",
            "crackles",
            "lower extremity edema",
            "peak flow",
            "acute exacerbation",
            "prednisone",
            "doxycycline",
            "tiotropium",
            "pneumonia",
        ],
        "expected_codes": {"diagnoses": ["J44.1", "Z87.891"], "procedures": []},
        "negated_findings": [
            "fever",
            "hemoptysis",
            "chest pain",
            "crackles",
            "lower extremity edema",
            "pneumonia",
        ],
    },
    {
        "name": "emergency_chest_pain",
        "format": "flac",
        "voice": "espeak:en-us+f2:175",
        "style": "commands",
        "mrn": "MRN101054",
        "patient_name": "Osei, Kwame",
        "birth_date": "1971-05-09",
        "sex": "male",
        "encounter": "V2026-11-0702",
        "encounter_type": "emergency",
        "author": "dr.lindqvist",
        "report_type": "emergency",
        "specialty": "emergency medicine",
        "dictated_at": "2026-11-23T23:30:00",
        "text": """
Chief complaint colon chest pain period new paragraph
History of present illness colon fifty five year old man with hypertension and type two diabetes
who presents with two hours of left sided chest pressure that started at rest period
He denies shortness of breath comma diaphoresis comma or leg swelling period new paragraph
Physical exam colon blood pressure one forty two over eighty eight comma heart rate ninety six
comma oxygen saturation ninety eight percent period Heart is regular with no murmur period
new paragraph
Electrocardiogram shows normal sinus rhythm with no ST elevation period High sensitivity troponin
was eight and then nine at two hours period D dimer was negative period new paragraph
Assessment and plan colon chest pain comma acute coronary syndrome ruled out period
Wells score is low and pulmonary embolism is unlikely period scratch that
D dimer negative so pulmonary embolism is excluded period
Continue lisinopril and metformin period Aspirin eighty one milligrams given period
Discharge home with outpatient stress test period
""",
        "key_terms": [
            "chest pain",
            "hypertension",
            "type two diabetes",
            "chest pressure",
            "shortness of breath",
            "diaphoresis",
            "oxygen saturation",
            "murmur",
            "electrocardiogram",
            "normal sinus rhythm",
            "ST elevation",
            "high sensitivity troponin",
            "D dimer",
            "acute coronary syndrome",
            "pulmonary embolism",
            "lisinopril",
            "metformin",
            "aspirin",
            "stress test",
        ],
        "expected_codes": {"diagnoses": ["R07.89", "I10", "E11.9", "Z79.84"], "procedures": []},
        "negated_findings": [
            "shortness of breath",
            "diaphoresis",
            "leg swelling",
            "murmur",
            "ST elevation",
            "acute coronary syndrome",
            "pulmonary embolism",
        ],
    },
    {
        "name": "obstetrics_delivery_discharge",
        "format": "m4a",
        "voice": "piper:0.95",
        "style": "plain",
        "mrn": "MRN101322",
        "patient_name": "Nguyen, Thao",
        "birth_date": "1994-02-17",
        "sex": "female",
        "encounter": "V2026-11-0815",
        "encounter_type": "inpatient",
        "author": "dr.haddad",
        "report_type": "discharge_summary",
        "specialty": "obstetrics",
        "dictated_at": "2026-11-24T09:20:00",
        "text": """
Postpartum discharge summary. Mrs Nguyen is a thirty two year old, gravida two, para two, who was
admitted at thirty nine weeks and two days in spontaneous labor. She had a spontaneous vaginal
delivery of a live born female infant, weight three thousand four hundred grams, Apgar scores
eight and nine. Delivery was complicated by a second degree perineal laceration, which was
repaired with three-oh chromic suture. Estimated blood loss was three hundred fifty milliliters.
Her postpartum course was uncomplicated. On the day of discharge she is afebrile, the fundus is
firm and two centimeters below the umbilicus, lochia is moderate and rubra, and the perineum is
healing well. She denies headache, visual changes, or calf pain. She is breastfeeding. Blood type
is O positive and she is rubella immune. Discharge medications: ibuprofen six hundred milligrams
every six hours as needed, docusate one hundred milligrams twice daily, and prenatal vitamins.
Follow up in the obstetrics clinic in six weeks. Pelvic rest until then.
""",
        "key_terms": [
            "gravida two, para two",
            "spontaneous vaginal delivery",
            "Apgar scores",
            "second degree perineal laceration",
            "chromic suture",
            "postpartum",
            "afebrile",
            "fundus",
            "umbilicus",
            "lochia",
            "rubra",
            "perineum",
            "breastfeeding",
            "rubella immune",
            "ibuprofen",
            "docusate",
            "prenatal vitamins",
        ],
        "expected_codes": {
            "diagnoses": ["O70.1", "Z3A.39", "Z37.0"],
            "procedures": ["10E0XZZ", "0KQM0ZZ"],
        },
        "negated_findings": ["headache", "visual changes", "calf pain"],
    },
    {
        "name": "orthopedics_hip_fracture_hp",
        "format": "ogg",
        "voice": "espeak:en-gb-x-rp:168",
        "style": "commands",
        "mrn": "MRN101588",
        "patient_name": "Fairbanks, Dorothy",
        "birth_date": "1941-08-30",
        "sex": "female",
        "encounter": "V2026-11-0901",
        "encounter_type": "inpatient",
        "author": "dr.mensah",
        "report_type": "history_physical",
        "specialty": "orthopedics",
        "dictated_at": "2026-11-25T18:10:00",
        "text": """
History and physical new paragraph
History of present illness colon eighty five year old woman who tripped over a rug at home and
fell onto her right side period She was unable to bear weight period She denies head strike or
loss of consciousness period new paragraph
Past medical history colon hypertension and hypothyroidism period Medications colon amlodipine
five milligrams daily and levothyroxine seventy five micrograms daily period No anticoagulants
period new paragraph
Examination colon the right leg is shortened and externally rotated period Distal pulses are
palpable and sensation is intact period new paragraph
Imaging colon radiographs show a displaced midcervical fracture of the right femoral neck period
new paragraph
Plan colon number one admit to orthopedics next number right hip hemiarthroplasty tomorrow
next number enoxaparin forty milligrams subcutaneously daily for thromboprophylaxis period
""",
        "key_terms": [
            "unable to bear weight",
            "loss of consciousness",
            "hypertension",
            "hypothyroidism",
            "amlodipine",
            "levothyroxine",
            "anticoagulants",
            "externally rotated",
            "distal pulses",
            "radiographs",
            "displaced midcervical fracture",
            "right femoral neck",
            "hemiarthroplasty",
            "enoxaparin",
            "thromboprophylaxis",
        ],
        "expected_codes": {"diagnoses": ["S72.031A", "I10", "E03.9"], "procedures": []},
        "negated_findings": ["head strike", "loss of consciousness", "anticoagulants"],
    },
    {
        "name": "nephrology_aki_consult",
        "format": "ogg",
        "voice": "piper:1.0",
        "style": "commands",
        "mrn": "MRN101764",
        "patient_name": "Abernathy, Lewis",
        "birth_date": "1958-12-05",
        "sex": "male",
        "encounter": "V2026-11-0944",
        "encounter_type": "inpatient",
        "author": "dr.patel",
        "report_type": "consultation",
        "specialty": "nephrology",
        "dictated_at": "2026-11-25T14:35:00",
        "text": """
Nephrology consultation new paragraph
Reason for consultation colon acute kidney injury period new paragraph
History colon sixty seven year old man with type two diabetes comma hypertension and chronic
kidney disease stage four with a baseline creatinine of two point eight period
Creatinine today is four point one and potassium is five point nine period
He had vomiting and diarrhea for three days period He denies nonsteroidal anti-inflammatory use
period new paragraph
Renal ultrasound shows small echogenic kidneys with no hydronephrosis period new paragraph
Impression colon acute kidney injury on chronic kidney disease stage four comma likely prerenal
comma due to diabetic nephropathy and hypertension period Hyperkalemia period new paragraph
Recommendations colon number one hold lisinopril and empagliflozin next number normal saline at
seventy five milliliters an hour next number sodium zirconium cyclosilicate ten grams once period
No indication for dialysis at this time period
""",
        "key_terms": [
            "acute kidney injury",
            "type two diabetes",
            "hypertension",
            "chronic kidney disease stage four",
            "creatinine",
            "potassium",
            "nonsteroidal anti-inflammatory",
            "renal ultrasound",
            "echogenic kidneys",
            "hydronephrosis",
            "prerenal",
            "diabetic nephropathy",
            "hyperkalemia",
            "lisinopril",
            "empagliflozin",
            "normal saline",
            "sodium zirconium cyclosilicate",
            "dialysis",
        ],
        "expected_codes": {
            "diagnoses": ["N17.9", "E11.22", "I12.9", "N18.4", "E87.5", "Z79.84"],
            "procedures": [],
        },
        "negated_findings": ["nonsteroidal anti-inflammatory use", "hydronephrosis", "dialysis"],
    },
    {
        "name": "radiology_ct_abdomen",
        "format": "mp3",
        "voice": "espeak:en+f4:170",
        "style": "plain",
        "mrn": "MRN101903",
        "patient_name": "Lindgren, Paula",
        "birth_date": "1966-04-11",
        "sex": "female",
        "encounter": "V2026-11-1007",
        "encounter_type": "emergency",
        "author": "dr.castellanos",
        "report_type": "radiology",
        "specialty": "radiology",
        "dictated_at": "2026-11-26T03:50:00",
        "text": """
CT abdomen and pelvis with intravenous contrast. Clinical indication: left lower quadrant pain and
fever, rule out diverticulitis. Comparison: none. Findings: there is wall thickening of the sigmoid
colon with pericolonic fat stranding and multiple diverticula. No extraluminal gas, no fluid
collection, and no abscess. The appendix is normal. The liver, gallbladder, pancreas, spleen, and
adrenal glands are unremarkable. There is a four millimeter nonobstructing calculus in the lower
pole of the left kidney, without hydronephrosis. The urinary bladder is unremarkable. No free
fluid and no lymphadenopathy. The lung bases are clear. Impression: one, acute uncomplicated
sigmoid diverticulitis, without perforation or abscess. Two, nonobstructing left renal calculus.
""",
        "key_terms": [
            "CT abdomen and pelvis",
            "intravenous contrast",
            "left lower quadrant",
            "diverticulitis",
            "sigmoid colon",
            "pericolonic fat stranding",
            "diverticula",
            "extraluminal gas",
            "abscess",
            "appendix",
            "adrenal glands",
            "nonobstructing",
            "calculus",
            "hydronephrosis",
            "lymphadenopathy",
            "renal calculus",
        ],
        "expected_codes": {"diagnoses": ["K57.32", "N20.0"], "procedures": []},
        "negated_findings": [
            "extraluminal gas",
            "fluid collection",
            "abscess",
            "hydronephrosis",
            "free fluid",
            "lymphadenopathy",
            "perforation",
        ],
    },
    {
        "name": "neurology_migraine_soap",
        "format": "m4a",
        "voice": "piper:1.05",
        "style": "commands",
        "mrn": "MRN102119",
        "patient_name": "Brightwater, Chloe",
        "birth_date": "1989-09-19",
        "sex": "female",
        "encounter": "V2026-11-1102",
        "encounter_type": "outpatient",
        "author": "dr.okafor",
        "report_type": "soap",
        "specialty": "neurology",
        "dictated_at": "2026-11-26T11:25:00",
        "text": """
Subjective colon thirty seven year old woman with migraine without aura comma now having six
headache days a month period Headaches are throbbing and unilateral with photophobia and nausea
period She denies visual aura comma weakness or numbness period Sumatriptan fifty milligrams
helps within an hour period next section
Objective colon blood pressure one eighteen over seventy four comma heart rate sixty eight period
Neurological examination is normal period Fundoscopic exam shows no papilledema period
next section
Assessment colon migraine without aura comma not intractable period No red flags comma so
imaging is not indicated period next section
Plan colon number one start topiramate twenty five milligrams at bedtime comma increase by
twenty five milligrams weekly to fifty milligrams twice daily next number continue sumatriptan
as needed comma no more than two days a week next number headache diary and return in three
months period
""",
        "key_terms": [
            "migraine without aura",
            "throbbing",
            "unilateral",
            "photophobia",
            "nausea",
            "visual aura",
            "weakness",
            "numbness",
            "sumatriptan",
            "neurological examination",
            "fundoscopic",
            "papilledema",
            "not intractable",
            "topiramate",
            "headache diary",
        ],
        "expected_codes": {"diagnoses": ["G43.009"], "procedures": []},
        "negated_findings": ["visual aura", "weakness", "numbness", "papilledema", "red flags"],
    },
    {
        "name": "endocrinology_dka_hp",
        "format": "ogg",
        "voice": "espeak:en-us+m1:170",
        "style": "plain",
        "mrn": "MRN102276",
        "patient_name": "Ramirez, Diego",
        "birth_date": "2004-01-27",
        "sex": "male",
        "encounter": "V2026-11-1150",
        "encounter_type": "inpatient",
        "author": "dr.nakamura",
        "report_type": "history_physical",
        "specialty": "endocrinology",
        "dictated_at": "2026-11-27T01:40:00",
        "text": """
Admission history and physical. Chief complaint: vomiting and abdominal pain. History of present
illness: twenty two year old man with type one diabetes on insulin glargine twenty units at bedtime
and insulin lispro with meals, with four days of polyuria, polydipsia, and vomiting. He says he
has not missed any insulin doses. He denies fever or dysuria. Examination: he is drowsy but
oriented, with dry mucous
membranes and Kussmaul respirations. Blood pressure one hundred two over sixty, heart rate one
twenty two, respiratory rate twenty eight. Laboratory: glucose five hundred twelve, bicarbonate
eight, anion gap twenty six, beta hydroxybutyrate six point four, potassium three point two.
Assessment: diabetic ketoacidosis due to type one diabetes, and hypokalemia. No coma. Plan: admit
to the intensive care unit. Normal saline bolus, potassium chloride replacement before insulin,
then regular insulin infusion per the DKA protocol, with hourly glucose checks.
""",
        "key_terms": [
            "type one diabetes",
            "insulin glargine",
            "insulin lispro",
            "polyuria",
            "polydipsia",
            "dysuria",
            "dry mucous membranes",
            "Kussmaul respirations",
            "bicarbonate",
            "anion gap",
            "beta hydroxybutyrate",
            "diabetic ketoacidosis",
            "hypokalemia",
            "potassium chloride",
            "regular insulin infusion",
        ],
        "expected_codes": {"diagnoses": ["E10.10", "E87.6"], "procedures": []},
        "negated_findings": ["missed any insulin doses", "fever", "dysuria", "coma"],
    },
    {
        "name": "gastroenterology_colonoscopy_procedure",
        "format": "ogg",
        "voice": "espeak:en-us+f3:165",
        "style": "commands",
        "mrn": "MRN102431",
        "patient_name": "Thornton, Gerald",
        "birth_date": "1974-06-08",
        "sex": "male",
        "encounter": "V2026-11-1203",
        "encounter_type": "outpatient",
        "author": "dr.haddad",
        "report_type": "procedure_note",
        "specialty": "gastroenterology",
        "dictated_at": "2026-11-27T13:05:00",
        "text": """
Procedure note new paragraph
Procedure colon screening colonoscopy with cold snare polypectomy period new paragraph
Indication colon average risk screening comma family history of colon cancer in his father
period new paragraph
Sedation colon propofol by anesthesia period new paragraph
Findings colon the colonoscope was advanced to the cecum comma identified by the appendiceal
orifice and ileocecal valve period The preparation was good period A six millimeter sessile polyp
in the sigmoid colon was removed with a cold snare and retrieved period Scattered diverticulosis
in the sigmoid colon period No masses comma no bleeding period new paragraph
Complications colon none period new paragraph
Recommendations colon await pathology period Repeat colonoscopy in five years period
""",
        "key_terms": [
            "screening colonoscopy",
            "cold snare polypectomy",
            "family history of colon cancer",
            "propofol",
            "colonoscope",
            "cecum",
            "appendiceal orifice",
            "ileocecal valve",
            "sessile polyp",
            "sigmoid colon",
            "cold snare",
            "diverticulosis",
            "pathology",
        ],
        "expected_codes": {"diagnoses": ["Z12.11", "K63.5", "K57.30", "Z80.0"], "procedures": []},
        "negated_findings": ["masses", "bleeding", "complications"],
    },
    {
        "name": "surgery_cholecystectomy_operative",
        "format": "ogg",
        "voice": "piper:1.0",
        "style": "plain",
        "mrn": "MRN102687",
        "patient_name": "Adeyemi, Grace",
        "birth_date": "1982-10-14",
        "sex": "female",
        "encounter": "V2026-11-1266",
        "encounter_type": "inpatient",
        "author": "dr.brennan",
        "report_type": "operative_note",
        "specialty": "general surgery",
        "dictated_at": "2026-11-28T15:30:00",
        "text": """
Operative report. Preoperative diagnosis: acute calculous cholecystitis. Postoperative diagnosis:
same. Procedure: laparoscopic cholecystectomy. Anesthesia: general. Indications: forty four year
old woman with right upper quadrant pain, a positive Murphy sign, and ultrasound showing
gallstones with gallbladder wall thickening and pericholecystic fluid. The common bile duct was
not dilated and liver enzymes were normal, so there was no evidence of choledocholithiasis.
Findings: a distended, inflamed gallbladder with multiple stones. Description: four ports were
placed. The critical view of safety was obtained. The cystic duct and cystic artery were clipped
and divided, and the gallbladder was removed from the liver bed with electrocautery and placed
in a retrieval bag. Hemostasis was confirmed. Estimated blood loss: twenty milliliters. No
drains. There were no complications. She will continue piperacillin tazobactam for twenty four
hours.
""",
        "key_terms": [
            "acute calculous cholecystitis",
            "laparoscopic cholecystectomy",
            "right upper quadrant",
            "Murphy sign",
            "gallstones",
            "gallbladder wall thickening",
            "pericholecystic fluid",
            "common bile duct",
            "choledocholithiasis",
            "critical view of safety",
            "cystic duct",
            "cystic artery",
            "electrocautery",
            "hemostasis",
            "piperacillin tazobactam",
        ],
        "expected_codes": {"diagnoses": ["K80.00"], "procedures": ["0FT44ZZ"]},
        "negated_findings": ["choledocholithiasis", "drains", "complications"],
    },
    # --- Held out: never used for tuning; voices and wording not in the main set. ---
    {
        "name": "cardiology_nstemi_hp",
        "heldout": True,
        "format": "ogg",
        "voice": "espeak:en-us-nyc:172",
        "style": "commands",
        "mrn": "MRN103015",
        "patient_name": "Castellano, Vincent",
        "birth_date": "1962-02-03",
        "sex": "male",
        "encounter": "V2026-11-1301",
        "encounter_type": "inpatient",
        "author": "dr.rosen",
        "report_type": "history_physical",
        "specialty": "cardiology",
        "dictated_at": "2026-11-28T07:55:00",
        "text": """
Admission note new line
Chief complaint colon substernal chest pressure period new line
History colon sixty four year old man who smokes one pack per day with high cholesterol and
high blood pressure comma who woke at four this morning with chest pressure radiating to the left
arm period He took no aspirin at home period new line
Exam colon pressure one fifty eight over ninety four comma pulse one oh four comma lungs clear
comma no jugular venous distension period new line
Data colon troponin rose from two hundred ten to eight hundred forty period The ECG shows ST
depression in leads V four through V six comma without ST elevation period new line
Impression colon non ST elevation myocardial infarction period new line
Plan colon aspirin three twenty five milligrams comma ticagrelor one eighty milligrams loading
dose comma heparin drip comma atorvastatin eighty milligrams period Cardiac catheterization in the
morning scratch that cardiac catheterization today period Smoking cessation counseling period
""",
        "key_terms": [
            "substernal chest pressure",
            "high cholesterol",
            "high blood pressure",
            "radiating to the left arm",
            "aspirin",
            "jugular venous distension",
            "troponin",
            "ECG",
            "ST depression",
            "ST elevation",
            "non ST elevation myocardial infarction",
            "ticagrelor",
            "heparin drip",
            "atorvastatin",
            "cardiac catheterization",
            "smoking cessation",
        ],
        "expected_codes": {
            "diagnoses": ["I21.4", "I10", "E78.00", "F17.210"],
            "procedures": [],
        },
        "negated_findings": ["jugular venous distension", "ST elevation"],
    },
    {
        "name": "obstetrics_cesarean_operative",
        "heldout": True,
        "format": "flac",
        "voice": "espeak:en-gb-scotland:165",
        "style": "plain",
        "mrn": "MRN103244",
        "patient_name": "MacLeod, Fiona",
        "birth_date": "1991-05-21",
        "sex": "female",
        "encounter": "V2026-11-1342",
        "encounter_type": "inpatient",
        "author": "dr.haddad",
        "report_type": "operative_note",
        "specialty": "obstetrics",
        "dictated_at": "2026-11-28T12:40:00",
        "text": """
This is the operative note for Fiona MacLeod. She is thirty five, gravida three, para two, at
thirty nine weeks and one day, booked for an elective repeat caesarean section because of two
previous low transverse caesarean sections. She declined a trial of labour. Under spinal
anaesthesia, a Pfannenstiel incision was made and a low transverse uterine incision was made.
A live male infant was delivered from cephalic presentation, weighing three thousand six hundred
and twenty grams, with Apgars of nine and nine. The placenta was delivered intact. The uterus was
closed in two layers. There was no injury to the bladder or bowel. Blood
loss was six hundred millilitres. She had oxytocin infusion and cefazolin two grams. Fallopian
tubes were not tied. Both mother and baby went to recovery in good condition.
""",
        "key_terms": [
            "gravida three, para two",
            "elective repeat caesarean section",
            "low transverse caesarean sections",
            "trial of labour",
            "spinal anaesthesia",
            "Pfannenstiel incision",
            "low transverse uterine incision",
            "cephalic presentation",
            "Apgars",
            "placenta",
            "oxytocin",
            "cefazolin",
            "fallopian tubes",
        ],
        "expected_codes": {
            "diagnoses": ["O34.211", "Z3A.39", "Z37.0"],
            "procedures": ["10D00Z1"],
        },
        "negated_findings": ["injury to the bladder or bowel", "tubes were not tied"],
    },
    {
        "name": "radiology_chest_xray",
        "heldout": True,
        "format": "mp3",
        "voice": "espeak:en-029:160",
        "style": "plain",
        "mrn": "MRN103377",
        "patient_name": "Baptiste, Rosalind",
        "birth_date": "1950-10-29",
        "sex": "female",
        "encounter": "V2026-11-1388",
        "encounter_type": "outpatient",
        "author": "dr.castellanos",
        "report_type": "radiology",
        "specialty": "radiology",
        "dictated_at": "2026-11-28T16:20:00",
        "text": """
Examination, chest radiograph, two views, posteroanterior and lateral. History, cough and fever
for four days, evaluate for pneumonia. Comparison is made with the prior study from March. The
heart size is normal and the mediastinal contours are within normal limits. There is a new
airspace consolidation in the right lower lobe, with air bronchograms. The left lung is clear.
There is no pleural effusion and no pneumothorax. No pulmonary vascular congestion. The bones
are intact. Impression: right lower lobe pneumonia. No pleural effusion. A
follow up chest radiograph in six to eight weeks is recommended to document resolution.
""",
        "key_terms": [
            "chest radiograph",
            "posteroanterior",
            "lateral",
            "pneumonia",
            "mediastinal contours",
            "airspace consolidation",
            "right lower lobe",
            "air bronchograms",
            "pleural effusion",
            "pneumothorax",
            "pulmonary vascular congestion",
        ],
        "expected_codes": {"diagnoses": ["J18.9"], "procedures": []},
        "negated_findings": ["pleural effusion", "pneumothorax", "pulmonary vascular congestion"],
    },
    {
        "name": "emergency_asthma",
        "heldout": True,
        "format": "ogg",
        "voice": "espeak:en-gb-x-gbcwmd:165",
        "style": "commands",
        "mrn": "MRN103520",
        "patient_name": "Okonkwo, Adaeze",
        "birth_date": "2001-12-12",
        "sex": "female",
        "encounter": "V2026-11-1420",
        "encounter_type": "emergency",
        "author": "dr.lindqvist",
        "report_type": "emergency",
        "specialty": "emergency medicine",
        "dictated_at": "2026-11-28T21:15:00",
        "text": """
Emergency department note new paragraph
Presenting complaint colon shortness of breath full stop new paragraph
Twenty four year old woman with moderate persistent asthma on budesonide formoterol comma who has
had a cold for three days and increasing wheeze full stop She has never been intubated full stop
No chest pain comma no fever full stop new paragraph
On arrival comma respiratory rate twenty six comma saturations ninety three percent on air comma
heart rate one hundred and twelve full stop Widespread polyphonic wheeze comma able to speak in
full sentences full stop Peak flow forty five percent of predicted full stop new paragraph
Diagnosis colon acute exacerbation of moderate persistent asthma full stop new paragraph
Treatment colon salbutamol five milligrams and ipratropium five hundred micrograms nebulised
times three comma prednisolone forty milligrams orally full stop Peak flow improved to seventy
five percent full stop Discharged with a five day course of prednisolone full stop
""",
        "key_terms": [
            "shortness of breath",
            "moderate persistent asthma",
            "budesonide formoterol",
            "wheeze",
            "intubated",
            "saturations",
            "polyphonic wheeze",
            "peak flow",
            "acute exacerbation",
            "salbutamol",
            "ipratropium",
            "nebulised",
            "prednisolone",
        ],
        "expected_codes": {"diagnoses": ["J45.41"], "procedures": []},
        "negated_findings": ["intubated", "chest pain", "fever"],
    },
]
