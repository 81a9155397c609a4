// The public symptom checker page: what it sends to the stateless interview route,
// Back/Forward over answered steps, the emergency banner and the result.
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app';
import { answersFor, type InterviewStep, type Question } from '../src/pages/SymptomChecker';
import { json, mockFetch, problem, signedOut } from './helpers';

const Q_CTX: Question = {
  id: 'sx.ctx.isotretinoin',
  type: 'single',
  text: 'Are you taking isotretinoin now?',
  phase: 'context',
  rationale: 'This tells us which problems to consider.',
  items: [{ id: 'sx.ctx.isotretinoin', name: 'taking isotretinoin' }],
};
const Q_RF: Question = {
  id: 'sx.rf.blisters-mucosal',
  type: 'single',
  text: 'Do you have blisters or sores in your mouth?',
  phase: 'red_flag_screen',
  rationale: 'We ask everyone this safety question.',
  items: [{ id: 'sx.rf.blisters-mucosal', name: 'blisters' }],
};

function step(partial: Partial<InterviewStep>): InterviewStep {
  return {
    question: null,
    conditions: [],
    should_stop: false,
    stop_reason: '',
    has_emergency_evidence: false,
    screen_complete: false,
    questions_asked: 0,
    triage: { level: 'self_care', label: 'Self-care', words: 'Look after it at home.', stop_isotretinoin: false, reasons: [], rules: [] },
    severity: { applicable: false, iga: null, iga_label: '', nice_band: '', confidence: 'none' },
    ...partial,
  };
}

describe('answersFor', () => {
  it('answers a group question with the chosen item present and the others absent', () => {
    const q: Question = { ...Q_CTX, id: 'grp.concern', type: 'group_single', items: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }] };
    expect(answersFor(q, 'b')).toEqual([
      { id: 'a', choice: 'absent', source: 'context' },
      { id: 'b', choice: 'present', source: 'context' },
    ]);
    expect(answersFor(q, 'unknown').map((e) => e.choice)).toEqual(['unknown', 'unknown']);
    expect(answersFor(Q_CTX, 'absent')).toEqual([{ id: 'sx.ctx.isotretinoin', choice: 'absent', source: 'context' }]);
  });
});

describe('symptom checker page', () => {
  it('sends the whole interview each step, goes back and forward, and shows emergency triage at once', async () => {
    window.location.hash = '#/check';
    const calls = mockFetch({
      'GET /api/v1/auth/me': signedOut,
      'POST /api/v1/symptom-check/interview': (call) => {
        const evidence = (call.body as { evidence: { id: string; choice: string }[] }).evidence;
        if (evidence.length === 0) return json(200, step({ question: Q_CTX }));
        const rf = evidence.find((e) => e.id === 'sx.rf.blisters-mucosal');
        if (!rf) return json(200, step({ question: Q_RF }));
        if (rf.choice === 'present')
          return json(
            200,
            step({
              should_stop: true,
              has_emergency_evidence: true,
              conditions: [{ id: 'cond.sjs', name: 'Stevens-Johnson syndrome', common_name: 'severe drug reaction', probability: 0.4, advice: 'Emergency care.' }],
              triage: { level: 'emergency', label: 'Call an ambulance', words: 'Go to the emergency department now.', stop_isotretinoin: true, reasons: ['Blistering can be a severe drug reaction.'], rules: [] },
              doctor_summary: { complaint: 'mouth sores', timeline: [], pertinent_positives: ['blisters'], pertinent_negatives: [], medications: [], treatments: [], severity: '', likely_conditions: ['Stevens-Johnson syndrome 40%'], triage: 'Call an ambulance (emergency)', red_flags: ['blisters'], text: '' },
            }),
          );
        return problem(400, 'Bad request', 'unexpected', { where: 'evidence' });
      },
    });
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
    expect(await screen.findByText('Enter an age in whole years, from 0 to 120.')).toBeTruthy();
    expect(calls.filter((c) => c.url.includes('symptom-check'))).toHaveLength(0);

    fireEvent.input(screen.getByLabelText('Age (years)'), { target: { value: '19' } });
    fireEvent.change(screen.getByLabelText('Sex'), { target: { value: 'female' } });
    fireEvent.input(screen.getByLabelText(/What is the problem/), { target: { value: 'mouth sores' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await screen.findByText(Q_CTX.text);
    fireEvent.click(screen.getByLabelText('No'));
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText(Q_RF.text);
    const sent = calls.filter((c) => c.url.includes('symptom-check')).at(-1)?.body;
    expect(sent).toMatchObject({ age: 19, sex: 'female', context: { complaint: 'mouth sores' }, evidence: [{ id: 'sx.ctx.isotretinoin', choice: 'absent', source: 'context' }] });

    // Back shows the first question with its answer; Forward returns without a request.
    const before = calls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await screen.findByText(Q_CTX.text);
    expect((screen.getByLabelText('No') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Forward' }));
    await screen.findByText(Q_RF.text);
    expect(calls.length).toBe(before);

    fireEvent.click(screen.getByLabelText('Yes'));
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(screen.getByText('Call an ambulance')).toBeTruthy());
    expect(screen.getByText(/Call your local emergency number/)).toBeTruthy();
    expect(screen.getByText(/stop taking it/)).toBeTruthy();
    expect(screen.getByTestId('doctor-summary').textContent).toContain('mouth sores');
  });
});
