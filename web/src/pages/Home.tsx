import { PageTitle } from '../components/ui';
import { href } from '../router';
import { CLINICAL_ROLES, useSession } from '../session';

export function Home() {
  const { status, user } = useSession();
  const clinical = user ? CLINICAL_ROLES.includes(user.role) : false;
  return (
    <section>
      <PageTitle>isocourse</PageTitle>
      <p class="lead">
        Support for isotretinoin courses: for clinics, pharmacists and patients. Every decision comes
        with its reason and its source.
      </p>
      <ul class="cards cards--links">
        <li class="card">
          <h2 class="card__title">
            <a href={href('/check')}>Skin symptom checker</a>
          </h2>
          <p>Is it acne, how bad is it, and how soon should you see someone? No account needed.</p>
        </li>
        <li class="card">
          <h2 class="card__title">
            <a href={href('/library')}>Education library</a>
          </h2>
          <p>Plain-language articles: how isotretinoin works, side effects, pregnancy prevention, red flags.</p>
        </li>
        {clinical && (
          <li class="card">
            <h2 class="card__title">
              <a href={href('/dose-planner')}>Dose planner</a>
            </h2>
            <p>Capsule plan, daily table and projected end date from weight, product and target.</p>
          </li>
        )}
        {status === 'signed-out' && (
          <li class="card">
            <h2 class="card__title">
              <a href={href('/sign-in')}>Sign in</a>
            </h2>
            <p>For clinic staff, prescribers, pharmacists and patients with an account.</p>
          </li>
        )}
      </ul>
    </section>
  );
}

export function NotFound({ path }: { path: string }) {
  return (
    <section>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is no page at <code>{path}</code>. <a href={href('/')}>Go to the start page</a>.
      </p>
    </section>
  );
}
