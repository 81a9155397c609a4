// The event forms: one spec per timeline event type (docs/timeline.md). Field names
// are the timeline format's, with dotted paths for nested objects ("face.comedones")
// and [i] for arrays ("methods[0].start"), so the server's problem paths
// ("events[0].face.comedones") land on the right field after the "events[0]." prefix
// is removed. The client checks mirror the codec's limits and use its words
// ("required field is missing", "… is out of range; expected 0 to 4"); the server
// stays the judge and its messages replace these.

export type FieldKind = 'number' | 'int' | 'text' | 'date' | 'select' | 'bool' | 'checkboxes' | 'textarea';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required?: boolean;
  min?: number;
  max?: number;
  step?: string;
  options?: readonly (string | { value: string; label: string })[];
  hint?: string;
  /** Shown only when this returns true for the current values. */
  showIf?: (v: FormValues) => boolean;
  /** Default value when the form opens. */
  initial?: string | boolean | string[];
  /** A select whose values are numbers in the event (PHQ answers 0-3). */
  numeric?: boolean;
}

export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;

export interface EventSpec {
  type: string;
  label: string;
  /** Plain words on what this records and why the engine needs it. */
  about: string;
  fields: FieldSpec[];
  /** Cross-field checks beyond each field's own (codec rules that span fields). */
  check?: (v: FormValues) => Partial<Record<string, string>>;
  /** Who records it: lifecycle actions ask for confirmation first. */
  lifecycle?: boolean;
}

// --- vocabularies (the codec's spellings, src/core/course/timeline.h) --------------

export const SYMPTOMS = [
  'headache_severe', 'headache', 'visual_change', 'nausea_vomiting', 'abdominal_pain_severe', 'abdominal_pain',
  'pain_radiating_to_back', 'rectal_bleeding', 'diarrhea_severe', 'jaundice', 'dark_urine', 'right_upper_quadrant_pain',
  'low_mood', 'anhedonia', 'withdrawal', 'irritability_aggression', 'suicidal_thoughts', 'self_harm', 'hallucinations',
  'blistering_rash', 'peeling_rash', 'mucosal_sores', 'target_lesions', 'fever', 'hearing_loss', 'tinnitus',
  'night_vision_loss', 'eye_pain', 'dry_eyes', 'myalgia_severe', 'muscle_weakness', 'myalgia', 'arthralgia', 'bone_pain',
  'fracture', 'missed_period', 'unprotected_sex', 'contraception_failure', 'urticaria', 'angioedema', 'dyspnea', 'purpura',
  'polydipsia', 'polyuria', 'chest_pain', 'focal_weakness', 'unilateral_leg_swelling', 'sexual_dysfunction', 'acne_flare',
  'ulcerated_lesions', 'bleeding_lesions', 'erythema_nodosum', 'malaise', 'cheilitis', 'dry_skin', 'epistaxis',
  'photosensitivity', 'hair_thinning', 'back_pain', 'other',
] as const;

export const CONDITIONS = [
  'pregnant', 'planning_pregnancy', 'breastfeeding', 'hypersensitivity_isotretinoin', 'hypersensitivity_vitamin_a',
  'hypersensitivity_excipient', 'allergy_soy', 'allergy_peanut', 'allergy_parabens', 'allergy_tartrazine',
  'hepatic_insufficiency', 'hyperlipidemia', 'hypervitaminosis_a', 'diabetes', 'obesity', 'high_alcohol_intake',
  'family_history_lipid_disorder', 'psychiatric_history', 'depression', 'inflammatory_bowel_disease',
  'severe_renal_insufficiency', 'eating_disorder', 'skeletal_growth_incomplete', 'cannot_comply_with_pregnancy_prevention',
] as const;

export const CONTRACEPTION_METHODS = [
  'abstinence', 'tubal_sterilization', 'partner_vasectomy', 'copper_iud', 'hormonal_iud', 'implant', 'injection',
  'combined_pill', 'progestin_only_pill', 'patch', 'vaginal_ring', 'male_condom', 'female_condom', 'diaphragm',
  'cervical_cap', 'sponge', 'other',
] as const;

export const MEDICATION_CLASSES = [
  'tetracycline', 'vitamin_a', 'st_johns_wort', 'combined_hormonal_contraceptive', 'progestin_only_pill',
  'other_hormonal_contraceptive', 'enzyme_inducer', 'phenytoin', 'systemic_corticosteroid', 'methotrexate',
  'oral_antibiotic_other', 'spironolactone', 'topical_keratolytic', 'other',
] as const;

export const LAB_UNITS = ['mg/dL', 'mmol/L', 'umol/L', 'U/L', 'IU/L', 'ukat/L', 'g/L', 'g/dL', 'mg/L', '%', 'mIU/mL', 'IU/mL', '10^9/L', '10^12/L', 'none'] as const;

/** The analytes the monitoring rules read (knowledge/labs.yaml), by LOINC code. */
export const LABS = [
  { loinc: '2571-8', name: 'Triglycerides', unit: 'mg/dL' },
  { loinc: '2093-3', name: 'Total cholesterol', unit: 'mg/dL' },
  { loinc: '2085-9', name: 'HDL cholesterol', unit: 'mg/dL' },
  { loinc: '13457-7', name: 'LDL cholesterol (calculated)', unit: 'mg/dL' },
  { loinc: '1742-6', name: 'ALT', unit: 'U/L' },
  { loinc: '1920-8', name: 'AST', unit: 'U/L' },
  { loinc: '2157-6', name: 'Creatine kinase', unit: 'U/L' },
] as const;

export const PHQ9_QUESTIONS = [
  'Little interest or pleasure in doing things',
  'Feeling down, depressed, or hopeless',
  'Trouble falling or staying asleep, or sleeping too much',
  'Feeling tired or having little energy',
  'Poor appetite or overeating',
  'Feeling bad about yourself, or that you are a failure or have let yourself or your family down',
  'Trouble concentrating on things, such as reading or watching television',
  'Moving or speaking so slowly that other people could have noticed, or being so fidgety or restless that you have been moving around a lot more than usual',
  'Thoughts that you would be better off dead, or of hurting yourself in some way',
] as const;

export const PHQ_ANSWERS = [
  { value: '0', label: 'Not at all (0)' },
  { value: '1', label: 'Several days (1)' },
  { value: '2', label: 'More than half the days (2)' },
  { value: '3', label: 'Nearly every day (3)' },
] as const;

const yes = (v: FormValues, name: string) => v[name] === true;

const COUNT_FIELDS = (prefix: 'face' | 'trunk', where: string): FieldSpec[] => [
  { name: `${prefix}.comedones`, label: `Comedones (${where})`, kind: 'int', min: 0, max: 100000 },
  { name: `${prefix}.papules_pustules`, label: `Papules and pustules (${where})`, kind: 'int', min: 0, max: 100000 },
  { name: `${prefix}.nodules`, label: `Nodules (${where})`, kind: 'int', min: 0, max: 100000 },
];

const METHOD_FIELDS = (i: number): FieldSpec[] => [
  {
    name: `methods[${i}].method`,
    label: i === 0 ? 'Method' : 'Second method',
    kind: 'select',
    required: i === 0,
    options: i === 0 ? CONTRACEPTION_METHODS : ['', ...CONTRACEPTION_METHODS],
  },
  { name: `methods[${i}].start`, label: i === 0 ? 'Using it since' : 'Second method since', kind: 'date', required: i === 0, showIf: (v) => i === 0 || !!v[`methods[${i}].method`] },
  { name: `methods[${i}].end`, label: i === 0 ? 'Stopped on (if stopped)' : 'Second method stopped on', kind: 'date', showIf: (v) => i === 0 || !!v[`methods[${i}].method`] },
];

export const EVENT_SPECS: EventSpec[] = [
  {
    type: 'weight',
    label: 'Weight',
    about: 'Body weight; the dose per kg and the cumulative dose use the latest weight.',
    fields: [{ name: 'kg', label: 'Weight (kg)', kind: 'number', required: true, min: 0.001, max: 400, step: '0.1' }],
  },
  {
    type: 'lab',
    label: 'Lab result',
    about: 'A lab value with its LOINC code; the monitoring rules flag lipids and liver enzymes.',
    fields: [
      { name: 'loinc', label: 'Test', kind: 'select', required: true, options: LABS.map((l) => ({ value: l.loinc, label: `${l.name} (LOINC ${l.loinc})` })) },
      { name: 'value', label: 'Value', kind: 'number', required: true, min: -1e9, max: 1e9, step: 'any' },
      { name: 'unit', label: 'Unit', kind: 'select', required: true, options: LAB_UNITS, initial: 'mg/dL' },
      { name: 'reference_high', label: 'Reference range upper limit (from the lab report)', kind: 'number', min: -1e9, max: 1e9, step: 'any' },
      { name: 'fasting', label: 'Fasting sample', kind: 'bool' },
      { name: 'hours_since_alcohol', label: 'Hours since the last alcohol (if known)', kind: 'number', min: 0, max: 1e6, step: 'any' },
    ],
  },
  {
    type: 'pregnancy_test',
    label: 'Pregnancy test',
    about: 'A pregnancy test result; the program windows count from the specimen date.',
    fields: [
      { name: 'purpose', label: 'Purpose', kind: 'select', required: true, options: ['screening', 'confirmation', 'monthly', 'end_of_course', 'post_treatment', 'unscheduled'], initial: 'monthly' },
      { name: 'specimen_date', label: 'Specimen date', kind: 'date', hint: 'When the sample was taken (defaults to the event date).' },
      { name: 'setting', label: 'Where it was done', kind: 'select', required: true, options: ['certified_lab', 'medical_office', 'home'] },
      { name: 'specimen', label: 'Specimen', kind: 'select', options: ['urine', 'serum', 'unknown'], initial: 'urine' },
      { name: 'result', label: 'Result', kind: 'select', required: true, options: ['negative', 'positive', 'invalid'] },
      { name: 'sensitivity_miu_per_ml', label: 'Test sensitivity (mIU/mL)', kind: 'number', min: 1, max: 1000 },
      { name: 'remotely_supervised', label: 'Remotely supervised home test', kind: 'bool' },
    ],
    check: (v) => {
      const spec = v['specimen_date'];
      const date = v['date'];
      if (typeof spec === 'string' && spec && typeof date === 'string' && date && date < spec) {
        return { specimen_date: `${spec} is after the event date ${date} (a result cannot be recorded before its specimen is taken)` };
      }
      return {};
    },
  },
  {
    type: 'contraception',
    label: 'Contraception',
    about: 'The methods in use, as entered by the clinic or the patient (iPLEDGE compares both sides).',
    fields: [
      { name: 'entered_by', label: 'Entered by', kind: 'select', required: true, options: ['clinic', 'patient'] },
      ...METHOD_FIELDS(0),
      ...METHOD_FIELDS(1),
    ],
  },
  {
    type: 'counseling',
    label: 'Counseling',
    about: 'Counseling given; the program requires pregnancy-prevention counseling each month.',
    fields: [
      { name: 'topics', label: 'Topics covered', kind: 'checkboxes', required: true, options: ['pregnancy_prevention', 'psychiatric', 'sexual_function', 'blood_donation', 'general_risks'] },
      { name: 'by', label: 'Counseled by', kind: 'text' },
    ],
  },
  {
    type: 'prescription',
    label: 'Prescription',
    about: 'A prescription; the dispense check and the dose ledger read it.',
    fields: [
      { name: 'product', label: 'Product', kind: 'select', required: true, options: [
        { value: 'product.generic', label: 'Isotretinoin, conventional (generic)' },
        { value: 'product.absorica', label: 'Absorica (Lidose)' },
        { value: 'product.absorica-ld', label: 'Absorica LD (micronized)' },
        { value: 'product.roaccutane', label: 'Roaccutane (EU/UK)' },
      ] },
      { name: 'strength_mg', label: 'Capsule strength (mg)', kind: 'number', min: 0.1, max: 1000 },
      { name: 'daily_mg', label: 'Daily dose (mg)', kind: 'number', required: true, min: 0.1, max: 1000 },
      { name: 'doses_per_day', label: 'Doses a day', kind: 'int', min: 1, max: 4, initial: '2' },
      { name: 'days_supply', label: 'Days supply', kind: 'int', required: true, min: 1, max: 366, initial: '30' },
      { name: 'refills', label: 'Refills', kind: 'int', min: 0, max: 12 },
      { name: 'quantity', label: 'Quantity (capsules)', kind: 'int', min: 1, max: 10000 },
      { name: 'prescriber', label: 'Prescriber', kind: 'text' },
    ],
  },
  {
    type: 'dispense',
    label: 'Dispense',
    about: 'A pharmacy fill of a prescription.',
    fields: [
      { name: 'prescription', label: 'Prescription event id', kind: 'text', hint: 'The prescription this fills; or give product and daily dose.' },
      { name: 'product', label: 'Product (if no prescription id)', kind: 'text' },
      { name: 'daily_mg', label: 'Daily dose (mg, if no prescription id)', kind: 'number', min: 0.1, max: 1000 },
      { name: 'days_supply', label: 'Days supply', kind: 'int', required: true, min: 1, max: 366, initial: '30' },
      { name: 'quantity', label: 'Quantity (capsules)', kind: 'int', min: 1, max: 10000 },
      { name: 'pharmacy', label: 'Pharmacy', kind: 'text' },
    ],
    check: (v) => (!v['prescription'] && (!v['product'] || !v['daily_mg']) ? { prescription: 'a dispense needs the prescription it fills, or both product and daily_mg' } : {}),
  },
  {
    type: 'visit',
    label: 'Visit and lesion counts',
    about: 'A clinic visit with lesion counts and the global grade (IGA 0–4).',
    fields: [
      { name: 'iga', label: 'IGA (0 clear – 4 severe)', kind: 'int', min: 0, max: 4 },
      ...COUNT_FIELDS('face', 'face'),
      ...COUNT_FIELDS('trunk', 'chest and back'),
      { name: 'in_person', label: 'In person', kind: 'bool', initial: true },
      { name: 'note', label: 'Note', kind: 'textarea' },
    ],
  },
  {
    type: 'side_effect',
    label: 'Side effects',
    about: 'Symptoms reported; red-flag combinations raise alerts at once.',
    fields: [
      { name: 'symptoms', label: 'Symptoms', kind: 'checkboxes', required: true, options: SYMPTOMS },
      { name: 'severity', label: 'Severity', kind: 'select', required: true, options: ['mild', 'moderate', 'severe'] },
      { name: 'note', label: 'Note', kind: 'textarea' },
    ],
  },
  {
    type: 'mood_screen',
    label: 'Mood screen (PHQ)',
    about: 'A PHQ-2 or PHQ-9 screen; item 9 and the total drive the mood alerts.',
    fields: [
      { name: 'instrument', label: 'Questionnaire', kind: 'select', required: true, options: ['phq2', 'phq9', 'phqa'], initial: 'phq9' },
      ...PHQ9_QUESTIONS.map((q, i): FieldSpec => ({
        name: `items[${i}]`,
        label: `${i + 1}. ${q}`,
        kind: 'select',
        required: true,
        options: PHQ_ANSWERS,
        numeric: true,
        initial: '0',
        showIf: i < 2 ? undefined : (v) => v['instrument'] !== 'phq2',
      })),
    ],
  },
  {
    type: 'diagnosis',
    label: 'Diagnosis and severity',
    about: 'The acne assessment behind the decision to treat (IGA, counts, scarring).',
    fields: [
      { name: 'iga', label: 'IGA (0 clear – 4 severe)', kind: 'int', min: 0, max: 4 },
      ...COUNT_FIELDS('face', 'face'),
      ...COUNT_FIELDS('trunk', 'chest and back'),
      { name: 'scarring', label: 'Scarring', kind: 'bool' },
      { name: 'nodular', label: 'Nodular acne', kind: 'bool' },
      { name: 'trunk_involvement', label: 'Chest or back involved', kind: 'bool' },
      { name: 'psychosocial_burden', label: 'Marked psychosocial burden', kind: 'bool' },
    ],
  },
  {
    type: 'profile',
    label: 'Profile',
    about: 'Birth date, sex at birth, pregnancy potential and jurisdiction: which program rules apply.',
    fields: [
      { name: 'birth_date', label: 'Birth date', kind: 'date', required: true },
      { name: 'sex_at_birth', label: 'Sex at birth', kind: 'select', required: true, options: ['female', 'male', 'intersex', 'unknown'] },
      { name: 'pregnancy_potential', label: 'Pregnancy potential', kind: 'select', required: true, options: ['can_get_pregnant', 'cannot_get_pregnant'] },
      { name: 'regular_cycles', label: 'Regular menstrual cycles', kind: 'bool', showIf: (v) => v['pregnancy_potential'] === 'can_get_pregnant' },
      { name: 'jurisdiction', label: 'Jurisdiction', kind: 'select', required: true, options: ['US', 'EU', 'UK'] },
    ],
  },
  {
    type: 'condition',
    label: 'Health condition',
    about: 'A condition that matters for candidacy (contraindications and cautions).',
    fields: [
      { name: 'condition', label: 'Condition', kind: 'select', required: true, options: CONDITIONS },
      { name: 'present', label: 'Present (untick to record that it has resolved)', kind: 'bool', initial: true },
      { name: 'note', label: 'Note', kind: 'text' },
    ],
  },
  {
    type: 'prior_treatment',
    label: 'Prior acne treatment',
    about: 'Earlier treatments and how they worked (indication for isotretinoin).',
    fields: [
      { name: 'kind', label: 'Kind', kind: 'select', required: true, options: ['topical_retinoid', 'topical_antibiotic', 'benzoyl_peroxide', 'topical_other', 'oral_antibiotic', 'hormonal', 'isotretinoin', 'procedure', 'other'] },
      { name: 'agent', label: 'Agent', kind: 'text', hint: 'For example: doxycycline.' },
      { name: 'start', label: 'Started', kind: 'date', required: true },
      { name: 'end', label: 'Stopped (empty if ongoing)', kind: 'date' },
      { name: 'response', label: 'Response', kind: 'select', options: ['unknown', 'failed', 'partial', 'responded', 'intolerant', 'relapsed'] },
      { name: 'cumulative_mg_per_kg', label: 'Cumulative dose of that course (mg/kg, isotretinoin only)', kind: 'number', min: 0, max: 1000, showIf: (v) => v['kind'] === 'isotretinoin' },
    ],
    check: (v) => {
      const s = v['start'];
      const e = v['end'];
      return typeof s === 'string' && typeof e === 'string' && s && e && e < s ? { end: `${e} is before start ${s}` } : {};
    },
  },
  {
    type: 'medication_start',
    label: 'Other medicine started',
    about: 'A concomitant medicine; interaction rules key on its class.',
    fields: [
      { name: 'name', label: 'Medicine', kind: 'text', required: true },
      { name: 'class', label: 'Class', kind: 'select', required: true, options: MEDICATION_CLASSES },
    ],
  },
  {
    type: 'enrollment',
    label: 'Program enrollment',
    about: 'Registration in the pregnancy-prevention program and the patient category.',
    fields: [
      { name: 'program', label: 'Program', kind: 'select', required: true, options: ['ipledge', 'eu_ppp', 'uk_ppp'] },
      { name: 'category', label: 'Category', kind: 'select', required: true, options: ['can_get_pregnant', 'cannot_get_pregnant'] },
      { name: 'program_patient_id', label: 'Program patient number', kind: 'text' },
      { name: 'prescriber', label: 'Prescriber', kind: 'text' },
    ],
  },
  {
    type: 'consent',
    label: 'Consent form',
    about: 'A signed program form (patient agreement, acknowledgement of risk).',
    fields: [
      { name: 'form', label: 'Form', kind: 'text', required: true, hint: 'For example: ipledge-patient-agreement.' },
      { name: 'signed_by_patient', label: 'Signed by the patient', kind: 'bool', initial: true },
      { name: 'signed_by_guardian', label: 'Signed by a parent or guardian', kind: 'bool' },
    ],
  },
  {
    type: 'comprehension',
    label: 'Comprehension questions',
    about: 'The program\u2019s comprehension questions (iPLEDGE, monthly for some categories).',
    fields: [
      { name: 'passed', label: 'Passed', kind: 'bool', initial: true },
      { name: 'questions', label: 'Questions', kind: 'int', min: 1, max: 100 },
      { name: 'correct', label: 'Correct answers', kind: 'int', min: 0, max: 100 },
    ],
    check: (v) => (v['questions'] && v['correct'] && Number(v['correct']) > Number(v['questions']) ? { correct: 'more correct answers than questions' } : {}),
  },
  {
    type: 'second_prescriber',
    label: 'Second prescriber (UK, under 18)',
    about: 'A second, independent prescriber agrees with starting treatment.',
    fields: [
      { name: 'prescriber', label: 'Second prescriber', kind: 'text', required: true },
      { name: 'agreed', label: 'Agreed', kind: 'bool', initial: true },
    ],
  },
  {
    type: 'program_assessment',
    label: 'Mental-health or sexual-function assessment (UK)',
    about: 'The MHRA assessments before and during treatment.',
    fields: [
      { name: 'kind', label: 'Assessment', kind: 'select', required: true, options: ['mental_health', 'sexual_function'] },
      { name: 'outcome', label: 'Outcome', kind: 'text' },
    ],
  },
  {
    type: 'dose',
    label: 'Dose taken or missed',
    about: 'One day\u2019s dose, taken or missed.',
    fields: [
      { name: 'taken', label: 'Taken', kind: 'bool', initial: true },
      { name: 'mg', label: 'Amount taken (mg, if not the scheduled dose)', kind: 'number', min: 0, max: 1000, showIf: (v) => yes(v, 'taken') },
    ],
  },
  {
    type: 'menses',
    label: 'Period started',
    about: 'First day of a period (times the confirmation test with regular cycles).',
    fields: [],
  },
  // Lifecycle actions: recorded only after a confirmation step.
  {
    type: 'course_start',
    label: 'Start the course',
    about: 'The first day of treatment; the cumulative target is optional (the knowledge default applies otherwise).',
    lifecycle: true,
    fields: [
      { name: 'target_mg_per_kg', label: 'Cumulative target (mg/kg)', kind: 'number', min: 1, max: 300 },
      { name: 'regimen', label: 'Regimen', kind: 'select', options: ['', 'regimen.us.standard', 'regimen.us.step-up', 'regimen.start-low.nodular', 'regimen.low-dose', 'regimen.eu.standard'] },
    ],
  },
  { type: 'course_pause', label: 'Pause the course', about: 'Stop doses for now; nothing is overdue while paused.', lifecycle: true, fields: [{ name: 'reason', label: 'Reason', kind: 'text' }] },
  { type: 'course_resume', label: 'Resume the course', about: 'Restart doses after a pause.', lifecycle: true, fields: [] },
  {
    type: 'course_extend',
    label: 'Extend the course',
    about: 'Raise the cumulative target.',
    lifecycle: true,
    fields: [
      { name: 'new_target_mg_per_kg', label: 'New cumulative target (mg/kg)', kind: 'number', required: true, min: 1, max: 300 },
      { name: 'reason', label: 'Reason', kind: 'text' },
    ],
  },
  { type: 'course_complete', label: 'Complete the course', about: 'The last dose has been taken as planned; post-treatment requirements start.', lifecycle: true, fields: [] },
  {
    type: 'course_discontinue',
    label: 'Discontinue the course',
    about: 'Stop treatment early; post-treatment requirements still apply.',
    lifecycle: true,
    fields: [{ name: 'reason', label: 'Reason', kind: 'text', required: true }],
  },
];

export function specFor(type: string): EventSpec | undefined {
  return EVENT_SPECS.find((s) => s.type === type);
}

/** The first values of a form: today's date and each field's default. */
export function initialValues(spec: EventSpec, today: string): FormValues {
  const v: FormValues = { date: today };
  for (const f of spec.fields) {
    if (f.initial !== undefined) v[f.name] = f.initial;
    else if (f.kind === 'bool') v[f.name] = false;
    else if (f.kind === 'checkboxes') v[f.name] = [];
    else v[f.name] = '';
  }
  return v;
}

function fmt(n: number): string {
  return String(n);
}

/** Checks each visible field the way the codec does; messages use the codec's words. */
export function validateValues(spec: EventSpec, v: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  const date = v['date'];
  if (typeof date !== 'string' || date === '') errors['date'] = 'required field is missing';
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errors['date'] = `'${date}' is not a date (YYYY-MM-DD)`;
  for (const f of spec.fields) {
    if (f.showIf && !f.showIf(v)) continue;
    const raw = v[f.name];
    if (f.kind === 'checkboxes') {
      if (f.required && (!Array.isArray(raw) || raw.length === 0)) errors[f.name] = 'must list at least one';
      continue;
    }
    if (f.kind === 'bool') continue;
    const s = typeof raw === 'string' ? raw.trim() : '';
    if (s === '') {
      if (f.required) errors[f.name] = 'required field is missing';
      continue;
    }
    if (f.kind === 'number' || f.kind === 'int') {
      const n = Number(s);
      if (!Number.isFinite(n)) {
        errors[f.name] = `expected a number, got '${s}'`;
      } else if (f.kind === 'int' && !Number.isInteger(n)) {
        errors[f.name] = `expected a whole number, got ${s}`;
      } else if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
        errors[f.name] = `${s} is out of range; expected ${fmt(f.min ?? -Infinity)} to ${fmt(f.max ?? Infinity)}`;
      }
    }
  }
  for (const [k, m] of Object.entries(spec.check?.(v) ?? {})) if (m) errors[k] = m;
  return errors;
}

/** Sets `path` ("a.b", "m[0].x", "items[3]") in `obj`. */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(/\.|\[|\]/).filter(Boolean);
  let cur: Record<string, unknown> | unknown[] = obj;
  keys.forEach((k, i) => {
    const last = i === keys.length - 1;
    const nextIsIndex = !last && /^\d+$/.test(keys[i + 1] ?? '');
    const key: string | number = /^\d+$/.test(k) ? Number(k) : k;
    const container = cur as Record<string | number, unknown>;
    if (last) {
      container[key] = value;
    } else {
      if (container[key] === undefined) container[key] = nextIsIndex ? [] : {};
      cur = container[key] as Record<string, unknown>;
    }
  });
}

/** The timeline event for the values (empty optional fields left out). */
export function buildEvent(spec: EventSpec, v: FormValues): Record<string, unknown> {
  const event: Record<string, unknown> = { type: spec.type, date: v['date'] };
  for (const f of spec.fields) {
    if (f.showIf && !f.showIf(v)) continue;
    const raw = v[f.name];
    if (f.kind === 'bool') {
      setPath(event, f.name, raw === true);
      continue;
    }
    if (f.kind === 'checkboxes') {
      if (Array.isArray(raw) && raw.length > 0) setPath(event, f.name, raw);
      continue;
    }
    const s = typeof raw === 'string' ? raw.trim() : '';
    if (s === '') continue;
    setPath(event, f.name, f.kind === 'number' || f.kind === 'int' || f.numeric ? Number(s) : s);
  }
  if (spec.type === 'lab') {
    const lab = LABS.find((l) => l.loinc === event['loinc']);
    if (lab) event['name'] = lab.name;
  }
  if (spec.type === 'contraception' && Array.isArray(event['methods'])) {
    event['methods'] = (event['methods'] as unknown[]).filter(Boolean);
  }
  return event;
}
