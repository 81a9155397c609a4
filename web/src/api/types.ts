// Shapes of the JSON the server sends. Field names follow the server (snake_case).

export type Role = 'admin' | 'prescriber' | 'staff' | 'pharmacist' | 'patient';

export interface User {
  username: string;
  role: Role;
  display_name?: string;
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

/** GET /api/v1/articles/{id}. */
export interface Article {
  id: string;
  title: string;
  body_markdown: string;
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
