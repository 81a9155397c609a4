// Decisions, reasons, alerts and tasks as the course engine explains them. The rule:
// never show a decision without its reason, and every reason with its rule and source.
import { useState } from 'preact/hooks';
import type { Alert, Decision, Explanation, Reason, Task, TaskStatus } from '../api/types';

export const STATUS_LABELS: Record<TaskStatus, string> = {
  overdue: 'Overdue',
  due_soon: 'Due soon',
  blocked: 'Blocked',
  paused: 'Paused',
  on_track: 'On track',
  done: 'Done',
  cancelled: 'Cancelled',
};

/** The order the worklist counts and sorts by: most in need of attention first. */
export const STATUS_ORDER: TaskStatus[] = ['overdue', 'due_soon', 'blocked', 'paused', 'on_track', 'done', 'cancelled'];

export function StatusBadge({ status }: { status: TaskStatus }) {
  return <span class={`status status--${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

export function humanize(word: string | null | undefined): string {
  if (!word) return '';
  const s = word.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "Rule lab.tg.alert (course 2026.1) · Source: L-ABS §5.7" */
export function ExplanationLine({ e }: { e: Explanation }) {
  return (
    <span class="explanation">
      Rule <code>{e.rule_id}</code>
      {e.rule_pack && (
        <>
          {' '}
          ({e.rule_pack}
          {e.pack_version ? ` ${e.pack_version}` : ''})
        </>
      )}
      {e.citation?.source && (
        <>
          {' '}
          · Source: {e.citation.source}
          {e.citation.locator ? `, ${e.citation.locator}` : ''}
        </>
      )}
    </span>
  );
}

export function ReasonList({ reasons, emptyText }: { reasons: Reason[]; emptyText?: string }) {
  if (reasons.length === 0) return <p class="message message--empty">{emptyText ?? 'No reasons given.'}</p>;
  return (
    <ul class="reasons">
      {reasons.map((r, i) => (
        <li key={`${r.code}-${i}`} class={`reason${r.blocking ? ' reason--blocking' : ''}`}>
          <span class="reason__mark">{r.blocking ? 'Blocks: ' : 'Note: '}</span>
          {r.message}
          <ExplanationLine e={r.explanation} />
        </li>
      ))}
    </ul>
  );
}

/** A yes/no decision with every reason. `by` is the dispense-by date when known. */
export function DecisionCard({ title, decision, testId }: { title: string; decision: Decision; testId?: string }) {
  const blocking = decision.reasons.filter((r) => r.blocking);
  return (
    <section class={`decision decision--${decision.allowed ? 'yes' : 'no'}`} data-testid={testId} aria-label={title}>
      <h3 class="decision__title">
        {title}: <strong>{decision.allowed ? 'Yes' : 'No'}</strong>
      </h3>
      {decision.by && (
        <p class="decision__by">
          {decision.allowed ? 'Dispense by' : 'Window ends'} <time dateTime={decision.by}>{decision.by}</time>
        </p>
      )}
      {!decision.allowed && blocking.length === 0 && decision.reasons.length === 0 && (
        <p class="message message--error">The server refused without giving a reason; treat this as “no” and ask the clinic.</p>
      )}
      <ReasonList reasons={decision.reasons} emptyText="All requirements are met; the engine listed no open points." />
    </section>
  );
}

/** An alert that opens to show its rule, source and recommended action. */
export function AlertItem({ alert }: { alert: Alert }) {
  const [open, setOpen] = useState(alert.urgency === 'emergency' || alert.stop_drug);
  const id = `alert-${alert.id.replace(/[^a-z0-9_-]/gi, '-')}-${alert.date}`;
  return (
    <li class={`alert alert--${alert.urgency}${alert.stop_drug ? ' alert--stop' : ''}`}>
      <button type="button" class="alert__toggle" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        <span class="badge">{humanize(alert.urgency)}</span> {alert.title} <span class="alert__date">({alert.date})</span>
      </button>
      <div id={id} class="alert__body" hidden={!open}>
        <p>{alert.message}</p>
        <p>
          <strong>Recommended action:</strong> {alert.action}
        </p>
        {alert.stop_drug && <p class="alert__stop">Stop isotretinoin.</p>}
        <p>
          <ExplanationLine e={alert.explanation} />
        </p>
      </div>
    </li>
  );
}

export function AlertList({ alerts }: { alerts: Alert[] }) {
  if (alerts.length === 0) return <p class="message message--empty">No alerts.</p>;
  return (
    <ul class="alerts">
      {alerts.map((a, i) => (
        <AlertItem key={`${a.id}-${i}`} alert={a} />
      ))}
    </ul>
  );
}

/** "2026-03-01 to 2026-03-07", "by 2026-03-07", "from 2026-03-01". */
export function windowText(t: { earliest: string | null; due?: string | null; latest: string | null }): string {
  if (t.earliest && t.latest) return `${t.earliest} to ${t.latest}`;
  if (t.latest) return `by ${t.latest}`;
  if (t.due) return `due ${t.due}`;
  if (t.earliest) return `from ${t.earliest}`;
  return 'no date';
}

export function TaskRow({ task }: { task: Task }) {
  return (
    <tr>
      <td>
        <StatusBadge status={task.status} />
      </td>
      <td>
        {task.title}
        {task.blocked_by && <div class="cell-note">Blocked: {task.blocked_by}</div>}
        {task.detail && <div class="cell-note">{task.detail}</div>}
        <div class="cell-note">
          <ExplanationLine e={task.explanation} />
        </div>
      </td>
      <td>{windowText(task)}</td>
      <td>{task.due ?? '–'}</td>
    </tr>
  );
}

export function TaskTable({ tasks, caption }: { tasks: Task[]; caption: string }) {
  if (tasks.length === 0) return <p class="message message--empty">No open tasks.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Task</th>
            <th scope="col">Window</th>
            <th scope="col">Due</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <TaskRow key={t.id} task={t} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
