import type { FastifyInstance } from 'fastify';
import type { AccountService, StaffUser } from '../accounts/service.js';
import { ConsoleLayout, roleLabels, type ConsoleFrame } from './layout.js';
import { can, consoleSections, type Permission } from './permissions.js';
import { registerConsoleRoutes, route } from './route-table.js';

// The console's front page says what needs doing. Each capability offers its figures as tiles
// (built in app.ts from its own service), so the console imports no capability; a role sees the
// tiles its permissions open.

/** How urgent a figure is: `due` asks for action soon, `late` is past a deadline. */
export type Urgency = 'calm' | 'due' | 'late';

export interface HomeFigure {
  label: string;
  /** A count, or null for a status told in `detail` alone. */
  count: number | null;
  detail?: string | undefined;
  href?: string | undefined;
  urgency: Urgency;
}

export interface HomeTile {
  needs: Permission;
  load: (staff: StaffUser) => Promise<HomeFigure>;
}

export async function homeRoutes(
  fastify: FastifyInstance,
  opts: { accounts: AccountService; tiles: readonly HomeTile[] },
) {
  registerConsoleRoutes(fastify, opts, [
    route({
      method: 'GET',
      url: '/console',
      access: 'console.enter',
      handler: async ({ staff, frame }) => {
        const mine = opts.tiles.filter((t) => can(staff, t.needs));
        const figures = await Promise.all(mine.map((t) => t.load(staff)));
        return { page: HomePage({ ...frame(), figures }) };
      },
    }),
  ]);
}

export function HomePage(p: ConsoleFrame & { figures: readonly HomeFigure[] }) {
  const sections = consoleSections.filter((s) => can(p.staff, s.needs));
  const waiting = p.figures.filter((f) => f.urgency !== 'calm' && f.count !== 0);
  return (
    <ConsoleLayout site={p.site} title="Today" staff={p.staff} csrf={p.csrf} current="/console">
      <h1>Today</h1>
      <p class="console-note">
        {waiting.length === 0
          ? `Signed in as ${roleLabels[p.staff.role]}. Nothing is waiting for you.`
          : `Signed in as ${roleLabels[p.staff.role]}. ${waiting.length} ${waiting.length === 1 ? 'thing needs' : 'things need'} your attention.`}
      </p>
      {p.figures.length > 0 ? (
        <ul class="home-tiles" aria-label="What needs doing">
          {p.figures.map((f) => (
            <li class={`home-tile home-${f.urgency}`}>
              <FigureBody figure={f} />
            </li>
          ))}
        </ul>
      ) : null}
      {sections.length > 0 ? (
        <section aria-labelledby="screens-h">
          <h2 id="screens-h">Your screens</h2>
          <ul class="home-screens">
            {sections.map((s) => (
              <li>
                <a href={s.href}>{s.label}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <p>The screens for your role are not in the console yet.</p>
      )}
    </ConsoleLayout>
  );
}

function FigureBody({ figure: f }: { figure: HomeFigure }) {
  const body = (
    <>
      {f.count !== null ? <span class="home-count">{String(f.count)}</span> : null}
      <span class="home-label">{f.label}</span>
      {f.detail ? <span class="home-detail">{f.detail}</span> : null}
    </>
  );
  return f.href ? <a href={f.href}>{body}</a> : <div>{body}</div>;
}
