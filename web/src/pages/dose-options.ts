// Choices offered by the dose planner form. The ids are knowledge-base ids
// (knowledge/products.yaml, knowledge/regimens.yaml); the server validates them and
// answers with the full product and regimen. Replace with a server listing once the
// API exposes one.

export const PRODUCTS = [
  { id: 'product.generic', label: 'Isotretinoin, conventional (Claravis, Amnesteem, Myorisan, Zenatane, generics)' },
  { id: 'product.absorica', label: 'Absorica (Lidose)' },
  { id: 'product.absorica-ld', label: 'Absorica LD (micronized)' },
  { id: 'product.roaccutane', label: 'Roaccutane (EU/UK)' },
] as const;

export const REGIMENS = [
  { id: 'regimen.us.standard', label: 'US standard: 1.0 mg/kg/day in two doses' },
  { id: 'regimen.us.step-up', label: '0.5 mg/kg/day for 4 weeks, then 1.0 mg/kg/day' },
  { id: 'regimen.start-low.nodular', label: 'Start low: 40 mg/day for 4 weeks, then 1 mg/kg/day' },
  { id: 'regimen.low-dose', label: 'Low dose: 0.25 mg/kg/day' },
  { id: 'regimen.eu.standard', label: 'EU standard: 0.5 mg/kg/day' },
] as const;

/** The knowledge base's standard cumulative goal (dose.cumulative.standard). */
export const DEFAULT_TARGET_MG_PER_KG = 135;
