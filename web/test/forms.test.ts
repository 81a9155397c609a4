// The event forms: client checks in the codec's words, and the events they build.
import { describe, expect, it } from 'vitest';
import { buildEvent, initialValues, specFor, validateValues } from '../src/forms/specs';

const spec = (t: string) => {
  const s = specFor(t);
  if (!s) throw new Error(`no spec ${t}`);
  return s;
};

describe('event forms', () => {
  it('checks required fields and ranges with the server wording', () => {
    const w = spec('weight');
    expect(validateValues(w, { ...initialValues(w, '2026-03-01') })).toEqual({ kg: 'required field is missing' });
    expect(validateValues(w, { date: '2026-03-01', kg: '500' })).toEqual({ kg: '500 is out of range; expected 0.001 to 400' });
    expect(validateValues(w, { date: '', kg: '60' })).toEqual({ date: 'required field is missing' });
    const v = spec('visit');
    expect(validateValues(v, { ...initialValues(v, '2026-03-01'), iga: '2.5' })).toEqual({ iga: 'expected a whole number, got 2.5' });
  });

  it('builds nested counts, arrays of methods and PHQ items by the timeline format', () => {
    const v = spec('visit');
    expect(buildEvent(v, { ...initialValues(v, '2026-03-01'), iga: '3', 'face.comedones': '12', 'trunk.nodules': '1', note: '' })).toEqual({
      type: 'visit', date: '2026-03-01', iga: 3, face: { comedones: 12 }, trunk: { nodules: 1 }, in_person: true,
    });
    const c = spec('contraception');
    expect(buildEvent(c, { ...initialValues(c, '2026-03-01'), entered_by: 'clinic', 'methods[0].method': 'implant', 'methods[0].start': '2025-06-01' })).toEqual({
      type: 'contraception', date: '2026-03-01', entered_by: 'clinic', methods: [{ method: 'implant', start: '2025-06-01' }],
    });
    const m = spec('mood_screen');
    const two = { ...initialValues(m, '2026-03-01'), instrument: 'phq2', 'items[0]': '1', 'items[1]': '2' };
    expect(buildEvent(m, two)).toEqual({ type: 'mood_screen', date: '2026-03-01', instrument: 'phq2', items: [1, 2] });
    expect((buildEvent(m, { ...two, instrument: 'phq9' })['items'] as number[]).length).toBe(9);
    const l = spec('lab');
    expect(buildEvent(l, { ...initialValues(l, '2026-03-01'), loinc: '2571-8', value: '320', unit: 'mg/dL', fasting: true })).toMatchObject({ name: 'Triglycerides', loinc: '2571-8', value: 320, fasting: true });
  });

  it('applies the cross-field rules the codec has', () => {
    const p = spec('pregnancy_test');
    expect(validateValues(p, { ...initialValues(p, '2026-03-01'), setting: 'home', result: 'negative', specimen_date: '2026-03-02' })).toEqual({
      specimen_date: '2026-03-02 is after the event date 2026-03-01 (a result cannot be recorded before its specimen is taken)',
    });
    const d = spec('dispense');
    expect(validateValues(d, initialValues(d, '2026-03-01'))['prescription']).toBe('a dispense needs the prescription it fills, or both product and daily_mg');
  });
});
