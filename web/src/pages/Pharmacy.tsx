// The pharmacist's screen: find a patient or prescription, see whether it may be
// dispensed today with every reason and the dispense-by date, and record the dispense.
// A pharmacist sees only what the dispense check needs (no chart).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, fieldErrors, isMissingRoute, newIdempotencyKey, withQuery } from '../api/client';
import { routes } from '../api/endpoints';
import type { DispenseCandidate, DispenseCheck, Reason } from '../api/types';
import { DecisionCard, ReasonList } from '../components/decisions';
import { Empty, ErrorMessage, Field, Loading, MissingRoute, PageTitle } from '../components/ui';
import { todayIso } from '../forms/EventForm';
import { href } from '../router';

function DispenseForm({ candidate, check, onRecorded }: { candidate: DispenseCandidate; check: DispenseCheck; onRecorded(c: DispenseCheck | null): void }) {
  const [days, setDays] = useState(String(candidate.days_supply));
  const [quantity, setQuantity] = useState('');
  const [pharmacy, setPharmacy] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<Reason[] | null>(null);
  const [pending, setPending] = useState(false);
  const [key] = useState(newIdempotencyKey);

  async function onSubmit(e: Event) {
    e.preventDefault();
    const found: Record<string, string> = {};
    const d = Number(days);
    if (!days.trim()) found['days_supply'] = 'required field is missing';
    else if (!Number.isInteger(d) || d < 1 || d > 366) found['days_supply'] = `${days} is out of range; expected 1 to 366`;
    if (quantity.trim() && (!Number.isInteger(Number(quantity)) || Number(quantity) < 1)) found['quantity'] = `${quantity} is out of range; expected 1 to 10000`;
    setErrors(found);
    setError(null);
    setRefusal(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    try {
      const body: Record<string, unknown> = { patient_id: candidate.patient_id, prescription_id: candidate.prescription_id, date: todayIso(), days_supply: d };
      if (quantity.trim()) body['quantity'] = Number(quantity);
      if (pharmacy.trim()) body['pharmacy'] = pharmacy.trim();
      const res = await api<{ check?: DispenseCheck }>(routes.dispenses, { method: 'POST', body, idempotencyKey: key });
      onRecorded(res.check ?? null);
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorMessage(err));
      if (err instanceof ApiError && Array.isArray(err.problem['reasons'])) setRefusal(err.problem['reasons'] as Reason[]);
    } finally {
      setPending(false);
    }
  }

  if (!check.decision.allowed) return null;
  return (
    <form class="form form--grid" onSubmit={onSubmit} noValidate aria-label="Record the dispense">
      <ErrorMessage message={error} />
      {refusal && <ReasonList reasons={refusal} />}
      <Field id="dsp-days" label="Days supply (required)" error={errors['days_supply']}>
        {(aria) => <input {...aria} type="number" inputMode="numeric" min="1" max="366" value={days} onInput={(e) => setDays(e.currentTarget.value)} />}
      </Field>
      <Field id="dsp-qty" label="Quantity (capsules)" error={errors['quantity']}>
        {(aria) => <input {...aria} type="number" inputMode="numeric" min="1" value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} />}
      </Field>
      <Field id="dsp-pharmacy" label="Pharmacy" error={errors['pharmacy']}>
        {(aria) => <input {...aria} type="text" value={pharmacy} onInput={(e) => setPharmacy(e.currentTarget.value)} />}
      </Field>
      <div class="form__actions">
        <button type="submit" class="button" disabled={pending} aria-busy={pending}>
          {pending ? 'Recording…' : 'Record the dispense'}
        </button>
      </div>
    </form>
  );
}

function CheckPanel({ candidate }: { candidate: DispenseCandidate }) {
  const [check, setCheck] = useState<DispenseCheck | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [recorded, setRecorded] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    setCheck(null);
    setError(null);
    setRecorded(false);
    api<DispenseCheck>(routes.dispenseCheck, { method: 'POST', body: { patient_id: candidate.patient_id, prescription_id: candidate.prescription_id, date: todayIso() }, signal: ctrl.signal })
      .then(setCheck)
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(err);
      });
    return () => ctrl.abort();
  }, [candidate]);

  return (
    <section class="panel" aria-labelledby="check-heading" data-testid="dispense-check">
      <h2 id="check-heading">
        {candidate.patient_name}: {candidate.product} {candidate.daily_mg} mg/day
      </h2>
      <p class="cell-note">
        Prescription {candidate.prescription_id} of {candidate.prescription_date}, {candidate.days_supply} days · born {candidate.birth_date}
      </p>
      {error !== null && isMissingRoute(error) && <MissingRoute what="The dispense check" route="POST /api/v1/dispense/check" detail={errorMessage(error)} />}
      {error !== null && !isMissingRoute(error) && <ErrorMessage message={errorMessage(error)} />}
      {error === null && !check && <Loading label="Checking…" />}
      {check && <DecisionCard title={`May dispense today (${check.as_of})`} decision={check.decision} testId="dispense-decision" />}
      {check && !check.decision.allowed && <p class="message message--error">Do not dispense. Every reason is listed above; the prescriber or the patient must resolve them first.</p>}
      {recorded && (
        <p class="message message--ok" role="status">
          Dispense recorded.
        </p>
      )}
      {check && !recorded && (
        <DispenseForm
          candidate={candidate}
          check={check}
          onRecorded={(c) => {
            setRecorded(true);
            if (c) setCheck(c);
          }}
        />
      )}
    </section>
  );
}

export function Pharmacy({ initialQuery }: { initialQuery: string }) {
  const [q, setQ] = useState(initialQuery);
  const [submitted, setSubmitted] = useState(initialQuery);
  const [items, setItems] = useState<DispenseCandidate[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<DispenseCandidate | null>(null);

  useEffect(() => {
    if (!submitted.trim()) return;
    const ctrl = new AbortController();
    setItems(null);
    setError(null);
    setChosen(null);
    history.replaceState(null, '', href(`/pharmacy?q=${encodeURIComponent(submitted)}`));
    api<{ items: DispenseCandidate[] }>(withQuery(routes.dispenseLookup, { q: submitted.trim() }), { signal: ctrl.signal })
      .then((r) => {
        setItems(r.items);
        if (r.items.length === 1 && r.items[0]) setChosen(r.items[0]);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(err);
      });
    return () => ctrl.abort();
  }, [submitted]);

  return (
    <section>
      <PageTitle>Pharmacy: dispense check</PageTitle>
      <p class="lead">Find the patient or the prescription. You see whether it may be dispensed today, every reason, and the date it must be dispensed by.</p>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(q);
        }}
      >
        <label for="rx-search">Patient name, birth date (YYYY-MM-DD), MRN or prescription id</label>
        <div class="search__row">
          <input id="rx-search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          <button type="submit" class="button">
            Find
          </button>
        </div>
      </form>
      {error !== null && isMissingRoute(error) && <MissingRoute what="Prescription lookup" route="GET /api/v1/dispense/lookup" detail={errorMessage(error)} />}
      {error !== null && !isMissingRoute(error) && <ErrorMessage message={errorMessage(error)} />}
      {submitted && error === null && items === null && <Loading label="Searching…" />}
      {items && items.length === 0 && <Empty>No prescription matches “{submitted}”.</Empty>}
      {items && items.length > 1 && (
        <ul class="link-list" aria-label="Matching prescriptions">
          {items.map((c) => (
            <li key={c.prescription_id}>
              <button type="button" class="linklike" aria-pressed={chosen?.prescription_id === c.prescription_id} onClick={() => setChosen(c)}>
                {c.patient_name} (born {c.birth_date}): {c.product} {c.daily_mg} mg/day, prescribed {c.prescription_date}
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && <CheckPanel key={chosen.prescription_id} candidate={chosen} />}
    </section>
  );
}
