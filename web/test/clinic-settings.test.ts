// What the clinic settings form sends: only what differs from the engine's defaults (so
// a clinic that chose nothing keeps following new defaults), numbers as numbers, and
// text that is not a number as typed, for the server to name the field.
import { describe, expect, it } from 'vitest';
import type { ClinicSettings } from '../src/api/types';
import { formFrom, settingsFrom } from '../src/pages/ClinicSettings';

const DEFAULTS = { retreatment: 'label_8_weeks', weight_rule: 'per_period', ipledge_2026_cutover: '2026-08-08', due_soon_days: 7 };

const never: ClinicSettings = {
  clinic_id: 'cln_a',
  version: 0,
  settings: {},
  effective: {
    jurisdiction: null,
    lab_profile: null,
    weight_rule: 'per_period',
    ipledge_2026_cutover: '2026-08-08',
    retreatment: 'label_8_weeks',
    cumulative_goal_mg_per_kg: null,
    home_tests_opt_in: false,
    due_soon_days: 7,
  },
  changed_by: null,
  changed_at: null,
};

describe('clinic settings form', () => {
  it('sends nothing when nothing was changed', () => {
    expect(settingsFrom(formFrom(never), DEFAULTS, {})).toEqual({});
  });

  it('sends what differs, numbers as numbers', () => {
    const f = { ...formFrom(never), lab_profile: 'delphi_2022', retreatment: 'msd_4_months', cumulative_goal_mg_per_kg: '130', due_soon_days: '10', note: ' protocol ' };
    expect(settingsFrom(f, DEFAULTS, {})).toEqual({
      lab_profile: 'delphi_2022',
      retreatment: 'msd_4_months',
      cumulative_goal_mg_per_kg: 130,
      due_soon_days: 10,
      note: 'protocol',
    });
  });

  it('keeps a jurisdiction set elsewhere and passes text that is not a number through', () => {
    const f = { ...formFrom(never), due_soon_days: 'soon' };
    expect(settingsFrom(f, DEFAULTS, { jurisdiction: 'UK' })).toEqual({ jurisdiction: 'UK', due_soon_days: 'soon' });
  });

  it('shows the effective settings and the note of a stored version', () => {
    const stored: ClinicSettings = {
      ...never,
      version: 2,
      settings: { lab_profile: 'eu_smpc', note: 'EU protocol' },
      effective: { ...never.effective, lab_profile: 'eu_smpc' },
    };
    const f = formFrom(stored);
    expect(f.lab_profile).toBe('eu_smpc');
    expect(f.note).toBe('EU protocol');
    expect(f.due_soon_days).toBe('7');
  });
});
