// Shapes of the JSON the server sends. Field names follow the server (snake_case).

export type Role = 'admin' | 'prescriber' | 'staff' | 'pharmacist' | 'patient';

export interface User {
  id?: string;
  username: string;
  role: Role;
  display_name?: string;
  clinic_id?: string | null;
  /** Set for patient logins: the patient record this person may read. */
  patient_id?: string | null;
}

/** POST /api/v1/session and GET /api/v1/session. */
export interface SessionResponse {
  user?: User;
  csrf_token?: string;
  // Some servers answer with the user fields at the top level.
  username?: string;
  role?: Role;
  display_name?: string;
}

/** GET /api/v1/articles: one entry of the list. */
export interface ArticleSummary {
  id: string;
  title: string;
  summary: string;
  tags: string[];
  jurisdiction?: string;
}

export interface ArticleSource {
  key: string;
  locator: string;
  /** Filled in by the server from knowledge/sources.yaml when it can. */
  title?: string;
  url?: string;
}

/** GET /api/v1/articles/{id}. The server calls the body `markdown`; older drafts
 * called it `body_markdown`. */
export interface Article {
  id: string;
  title: string;
  markdown?: string;
  body_markdown?: string;
  sources: ArticleSource[];
  last_reviewed: string;
  summary?: string;
  tags?: string[];
  jurisdiction?: string;
}

export interface Citation {
  source: string;
  locator: string;
  text: string;
}

/** POST /api/v1/dose-plan request (see src/codec/plan_json.h). */
export interface DosePlanRequest {
  weight_kg: number;
  product: string;
  target_mg_per_kg: number;
  start: string;
  regimen?: string;
  phases?: string;
  doses_per_day?: number;
  already_taken_mg?: number;
}

export interface DailyDose {
  total_mg: number;
  morning_mg: number;
  evening_mg: number;
  morning_capsules_mg: number[];
  evening_capsules_mg: number[];
  text: string;
}

export interface PlannedPhase {
  index: number;
  first_day: number;
  last_day: number;
  days: number;
  first_date: string;
  last_date: string;
  requested_daily_mg: number;
  daily: DailyDose;
  mg_per_kg_day: number;
  explanation: string;
  alternatives: { daily: DailyDose; mg_per_kg_day: number; why: string }[];
  cumulative_mg_at_end: number;
  cumulative_mg_per_kg_at_end: number;
}

export interface PlanDay {
  day: number;
  date: string;
  phase: number;
  daily_mg: number;
  cumulative_mg: number;
  cumulative_mg_per_kg: number;
}

export interface PlanWarning {
  rule_id: string;
  severity: string;
  message: string;
  detail: string;
  citation: Citation;
}

/** POST /api/v1/dose-plan response (see src/codec/plan_json.cpp, PlanToJson). */
export interface DosePlan {
  knowledge_version: string;
  product: {
    id: string;
    name: string;
    equivalence_factor: number;
    max_mg_per_kg_day: number;
    max_rule: string;
    citation: Citation;
  };
  regimen: string;
  weight_kg: number;
  target_mg_per_kg: number;
  target_mg: number;
  start: string;
  doses_per_day: number;
  already_taken_mg: number;
  target_date: string | null;
  days_to_target: number | null;
  phases: PlannedPhase[];
  days: PlanDay[];
  warnings: PlanWarning[];
}

// ---------------------------------------------------------------------------------
// Lists: the server pages with {items, next}.
// ---------------------------------------------------------------------------------

export interface Page<T> {
  items: T[];
  next?: string | null;
}

// ---------------------------------------------------------------------------------
// Patients and timeline events (src/server/views.cpp, docs/timeline.md).
// ---------------------------------------------------------------------------------

export interface Patient {
  id: string;
  clinic_id: string;
  given_name: string;
  family_name: string;
  birth_date: string;
  sex: string;
  mrn: string;
  version: number;
  created_at: string;
}

/** One event in the timeline format: envelope fields next to the type's own fields. */
export interface TimelineEvent {
  id: string;
  type: string;
  date: string;
  recorded_by?: string;
  corrects?: string;
  [field: string]: unknown;
}

/** GET /api/v1/patients/{id}/events: the stored envelope around each event. */
export interface StoredEvent {
  seq: number;
  recorded_at: string;
  hash: string;
  prev_hash: string;
  event: TimelineEvent;
}

export interface EventsPage {
  version: number;
  items: StoredEvent[];
  next: string | null;
}

export interface AppendResult {
  version: number;
  events: StoredEvent[];
}

// ---------------------------------------------------------------------------------
// The course engine's assessment (src/codec/assessment_json.cpp).
// ---------------------------------------------------------------------------------

export interface Explanation {
  rule_id: string;
  rule_pack: string;
  pack_version: string;
  citation: { source: string; locator: string };
}

export interface Reason {
  code: string;
  blocking: boolean;
  message: string;
  explanation: Explanation;
}

export interface Decision {
  allowed: boolean;
  by: string | null;
  reasons: Reason[];
}

export type TaskStatus = 'done' | 'on_track' | 'due_soon' | 'overdue' | 'blocked' | 'paused' | 'cancelled';

export interface Task {
  id: string;
  kind: string;
  title: string;
  earliest: string | null;
  due: string | null;
  latest: string | null;
  status: TaskStatus;
  colour: string;
  unblocks: string[];
  blocked_by?: string;
  detail?: string;
  explanation: Explanation;
}

export interface Alert {
  id: string;
  severity: string;
  urgency: 'emergency' | 'same_day' | 'soon' | 'routine';
  title: string;
  message: string;
  action: string;
  stop_drug: boolean;
  date: string;
  events: string[];
  explanation: Explanation;
}

export interface Finding {
  id: string;
  severity: string;
  message: string;
  action: string;
  events: string[];
  explanation: Explanation;
}

export interface LabResult {
  event: string;
  date: string;
  analyte: string;
  loinc: string;
  value: number;
  unit: string;
  canonical_value: number | null;
  canonical_unit: string;
  flag: 'normal' | 'review' | 'alert' | 'unreliable' | 'unknown';
  unreliable: boolean;
  reasons: Reason[];
}

export interface Assessment {
  as_of: string;
  patient: string;
  knowledge_version: string;
  jurisdiction: string;
  rule_packs: string[];
  phase: string;
  phase_rule: Explanation;
  candidacy: {
    verdict: 'indicated' | 'not_indicated' | 'needs_review';
    age_years: number | null;
    reasons: Reason[];
    findings: Finding[];
  };
  dose: {
    has_doses: boolean;
    cumulative_mg: number;
    cumulative_equivalent_mg: number;
    cumulative_mg_per_kg: number;
    current_daily_mg: number;
    current_mg_per_kg_day: number;
    latest_weight_kg: number;
    days_on_drug: number;
    days_paused: number;
    doses_missed: number;
    first_dose: string | null;
    last_dose: string | null;
    supply_runs_out: string | null;
    target_mg_per_kg: number;
    target_source: string;
    remaining_mg_per_kg: number | null;
    projected_target_date: string | null;
    second_course_earliest: string | null;
    second_course_eligible: boolean | null;
    retreatment_rule: Explanation;
    notes: Reason[];
    /** Optional (contract, docs/web.md): cumulative mg/kg by date for the chart. */
    series?: { date: string; cumulative_mg_per_kg: number }[];
  };
  program: {
    applies: boolean;
    program: string;
    rule_pack: string;
    pack_version: string;
    state: string;
    category: string | null;
    window_start: string | null;
    window_end: string | null;
    lockout_until: string | null;
    facts: Record<string, string>;
    notes: Reason[];
  };
  may_prescribe: Decision;
  may_dispense: Decision;
  labs: { profile: string; profile_rule: string; results: LabResult[] };
  alerts: Alert[];
  tasks: Task[];
}

// ---------------------------------------------------------------------------------
// Contracts for routes the server does not have yet (docs/web.md, "Routes the web
// app expects"). The shapes reuse the assessment's pieces.
// ---------------------------------------------------------------------------------

/** GET /api/v1/worklist: one row per active course. */
export interface WorklistRow {
  patient: Pick<Patient, 'id' | 'given_name' | 'family_name' | 'birth_date' | 'mrn'>;
  phase: string;
  jurisdiction: string;
  program: string;
  category: string | null;
  day_of_course: number | null;
  status: TaskStatus;
  next_task: Task | null;
  alerts: number;
}

export interface Worklist {
  as_of: string;
  items: WorklistRow[];
  counts: Partial<Record<TaskStatus, number>>;
  next: string | null;
}

/** GET /api/v1/patients/{id}/forecast: the program calendar. */
export interface ForecastStep {
  kind: string;
  title: string;
  earliest: string | null;
  latest: string | null;
  proposed: string | null;
  from_plan: boolean;
  detail: string;
  explanation: Explanation;
}

export interface Forecast {
  as_of: string;
  steps: ForecastStep[];
  warnings: { step: string; message: string; explanation: Explanation }[];
  visits: number;
}

/** GET /api/v1/dispense/lookup?q=: what a pharmacist may see to find a prescription. */
export interface DispenseCandidate {
  patient_id: string;
  patient_name: string;
  birth_date: string;
  prescription_id: string;
  prescription_date: string;
  product: string;
  daily_mg: number;
  days_supply: number;
}

/** POST /api/v1/dispense/check. */
export interface DispenseCheck {
  patient_id: string;
  prescription_id: string;
  as_of: string;
  decision: Decision;
}

/** POST /api/v1/patients/{id}/diary. */
export interface DiaryResult {
  version: number;
  alerts: Alert[];
  follow_up: { instrument: string; message: string; explanation: Explanation } | null;
}

// ---------------------------------------------------------------------------------
// Administration (src/server/routes_admin.cpp).
// ---------------------------------------------------------------------------------

export interface Clinic {
  id: string;
  name: string;
  jurisdiction: string;
  created_at: string;
}

export interface AdminUser {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  clinic_id: string | null;
  patient_id: string | null;
  disabled: boolean;
  locked_until: string | null;
  created_at: string;
  /** Only in the answer to a create, shown once. */
  password?: string;
}

export interface ApiToken {
  id: string;
  user_id: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
  /** Only in the answer to a create, shown once. */
  token?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  resource: string;
  patient_id: string | null;
  clinic_id: string | null;
  remote: string;
  reason: string;
  outcome: string;
  hash: string;
  prev_hash: string;
}

/** The course engine's settings as a clinic chooses them (docs/course-engine.md, Settings). */
export interface EngineSettings {
  jurisdiction?: string;
  lab_profile?: string;
  weight_rule?: string;
  ipledge_2026_cutover?: string;
  retreatment?: string;
  cumulative_goal_mg_per_kg?: number | string;
  home_tests_opt_in?: boolean;
  due_soon_days?: number | string;
  note?: string;
}

/** Every setting with the engine's defaults filled in. */
export interface EffectiveSettings {
  jurisdiction: string | null;
  lab_profile: string | null;
  weight_rule: string;
  ipledge_2026_cutover: string;
  retreatment: string;
  cumulative_goal_mg_per_kg: number | null;
  home_tests_opt_in: boolean;
  due_soon_days: number;
}

/** GET /api/v1/clinics/{id}/settings: one version (0 = never set). */
export interface ClinicSettings {
  clinic_id: string;
  version: number;
  settings: EngineSettings;
  effective: EffectiveSettings;
  changed_by: string | null;
  /** "Dr Ada Lee (dr.lee)", for people. */
  changed_by_name?: string | null;
  changed_at: string | null;
}
