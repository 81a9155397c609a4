// Every API route the web app calls, in one place (docs/web.md lists them too).
// Routes marked CONTRACT were built against the shape written in docs/web.md ("Routes
// the web app expects") before the server had them; the server now serves them all
// (src/server/routes_course.cpp, routes_dispense.cpp, routes_diary.cpp). The screens
// still say which route they need if a server answers "no such resource".
const enc = encodeURIComponent;

export const routes = {
  // Session (src/server/routes_auth.cpp).
  login: '/api/v1/auth/login',
  me: '/api/v1/auth/me',
  logout: '/api/v1/auth/logout',

  // Education (src/server/routes_content.cpp).
  articles: '/api/v1/articles',
  article: (id: string) => `/api/v1/articles/${enc(id)}`,

  // Patients and timelines (src/server/routes_patients.cpp).
  patients: '/api/v1/patients',
  patient: (id: string) => `/api/v1/patients/${enc(id)}`,
  events: (id: string) => `/api/v1/patients/${enc(id)}/events`,
  correction: (id: string, eventId: string) => `/api/v1/patients/${enc(id)}/events/${enc(eventId)}/corrections`,
  timeline: (id: string) => `/api/v1/patients/${enc(id)}/timeline`,
  patientDosePlan: (id: string) => `/api/v1/patients/${enc(id)}/dose-plan`,

  // Administration (src/server/routes_admin.cpp).
  clinics: '/api/v1/clinics',
  // A clinic's course-engine settings (src/server/routes_settings.cpp).
  clinicSettings: (id: string) => `/api/v1/clinics/${enc(id)}/settings`,
  clinicSettingsHistory: (id: string) => `/api/v1/clinics/${enc(id)}/settings/history`,
  users: '/api/v1/users',
  userDisable: (id: string) => `/api/v1/users/${enc(id)}/disable`,
  userEnable: (id: string) => `/api/v1/users/${enc(id)}/enable`,
  tokens: '/api/v1/tokens',
  token: (id: string) => `/api/v1/tokens/${enc(id)}`,
  audit: '/api/v1/audit',
  auditExport: '/api/v1/audit/export',

  // CONTRACT: the course engine's assessment for a date (AssessmentToJson).
  assessment: (id: string) => `/api/v1/patients/${enc(id)}/assessment`,
  // CONTRACT: the program calendar (forecaster) for a patient.
  forecast: (id: string) => `/api/v1/patients/${enc(id)}/forecast`,
  // CONTRACT: the clinic worklist.
  worklist: '/api/v1/worklist',
  // CONTRACT: pharmacist lookup, dispense check and dispense recording.
  dispenseLookup: '/api/v1/dispense/lookup',
  dispenseCheck: '/api/v1/dispense/check',
  dispenses: '/api/v1/dispenses',
  // CONTRACT: the patient's daily check-in.
  diary: (id: string) => `/api/v1/patients/${enc(id)}/diary`,
  // CONTRACT: a dose plan without a patient record (the standalone planner).
  dosePlan: '/api/v1/dose-plan',
  // The public symptom checker (src/server/routes_symptom.cpp).
  symptomInterview: '/api/v1/symptom-check/interview',
  symptomFindings: '/api/v1/symptom-check/findings',
} as const;
