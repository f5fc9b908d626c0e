import type { StaffUser } from '../../accounts/service.js';
import type { SiteConfig } from '../../config/site.js';
import { ConsoleLayout } from '../../console/layout.js';
import type { FilterDim, Filters } from './repository.js';
import { filterTitles, type Overview, type Panel, type Summary } from './service.js';
import { dashboardQuery, dashboardUrl, withFilter, withoutFilter } from './url.js';

interface Frame {
  site: SiteConfig;
  staff: StaffUser;
  csrf: string;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const secs = (n: number) => {
  const s = Math.round(n);
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
};

const metrics: {
  key: keyof Summary;
  label: string;
  fmt: (n: number) => string;
  lowerIsBetter?: boolean;
}[] = [
  { key: 'visitors', label: 'Visitors', fmt: int },
  { key: 'visits', label: 'Visits', fmt: int },
  { key: 'pageviews', label: 'Page views', fmt: int },
  { key: 'viewsPerVisit', label: 'Views per visit', fmt: (n) => n.toFixed(2) },
  { key: 'bounceRate', label: 'Bounce rate', fmt: pct, lowerIsBetter: true },
  { key: 'avgDuration', label: 'Visit duration', fmt: secs },
];

/** Change vs the previous period, in words and an arrow, so colour is never the only cue. */
export function change(cur: number, prev: number): string {
  if (prev === 0) return cur === 0 ? 'no change' : 'new (nothing before)';
  const d = (cur - prev) / prev;
  if (Math.abs(d) < 0.0005) return 'no change';
  return `${d > 0 ? '▲ up' : '▼ down'} ${Math.abs(d * 100).toFixed(1)}%`;
}

export function AnalyticsPage(p: Frame & { o: Overview; filters: Filters }) {
  const { o, filters } = p;
  return (
    <ConsoleLayout
      site={p.site}
      title="Analytics"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/analytics"
    >
      <h1>Analytics</h1>
      <p class="console-note">
        First-party, aggregate figures for {o.range.from} to {o.range.to} (UTC), compared with{' '}
        {o.previousRange.from} to {o.previousRange.to}. Select a value in a panel to filter every
        panel by it. Beyond 50,000, unique visitors are an estimate, usually within 2%.
      </p>
      <RangeForm o={o} filters={filters} />
      <ActiveFilters o={o} filters={filters} />
      <section aria-labelledby="summary-h">
        <h2 id="summary-h">Summary</h2>
        <dl class="an-cards">
          {metrics.map((m) => (
            <div class="an-card">
              <dt>{m.label}</dt>
              <dd class="an-value">{m.fmt(o.current[m.key])}</dd>
              <dd class="an-change">
                {change(o.current[m.key], o.previous[m.key])}
                <span class="an-prev"> (before: {m.fmt(o.previous[m.key])})</span>
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <Chart o={o} />
      <div class="an-grid">
        {o.panels.map((panel) => (
          <PanelView panel={panel} o={o} filters={filters} />
        ))}
        <Props o={o} />
        <Realtime o={o} />
      </div>
    </ConsoleLayout>
  );
}

function RangeForm({ o, filters }: { o: Overview; filters: Filters }) {
  const options: [string, string][] = [
    ['today', 'Today'],
    ['7d', 'Last 7 days'],
    ['30d', 'Last 30 days'],
    ['12m', 'Last 12 months'],
    ['custom', 'Custom'],
  ];
  return (
    <form method="get" action="/console/analytics" class="console-filters">
      <label>
        Period{' '}
        <select name="range">
          {options.map(([v, l]) => (
            <option value={v} selected={o.range.preset === v}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label>
        From (custom){' '}
        <input type="date" name="from" value={o.range.preset === 'custom' ? o.range.from : ''} />
      </label>
      <label>
        To (custom){' '}
        <input type="date" name="to" value={o.range.preset === 'custom' ? o.range.to : ''} />
      </label>
      {Object.entries(filters).map(([dim, key]) => (
        <input type="hidden" name={dim} value={String(key)} />
      ))}
      <button type="submit">Show</button>
    </form>
  );
}

function ActiveFilters({ o, filters }: { o: Overview; filters: Filters }) {
  if (o.filterLabels.length === 0) return null;
  return (
    <section aria-labelledby="filters-h" class="an-filters">
      <h2 id="filters-h">Active filters</h2>
      <ul>
        {o.filterLabels.map((f) => (
          <li>
            {filterTitles[f.dim]}: <strong>{f.label}</strong>{' '}
            <a href={withoutFilter(o.range, filters, f.dim)}>
              Remove
              <span class="visually-hidden">
                {' '}
                filter {filterTitles[f.dim]}: {f.label}
              </span>
            </a>
          </li>
        ))}
      </ul>
      <p>
        <a href={dashboardUrl(o.range, {})}>Remove all filters</a>
      </p>
    </section>
  );
}

/** Visits and page views over time as a server-drawn SVG: two lines, one dashed, with a legend. */
function Chart({ o }: { o: Overview }) {
  const W = 720;
  const H = 220;
  const pad = { l: 44, r: 12, t: 12, b: 28 };
  const max = Math.max(1, ...o.series.map((s) => Math.max(s.visits, s.pageviews)));
  const n = o.series.length;
  const x = (i: number) => pad.l + (n <= 1 ? 0 : (i * (W - pad.l - pad.r)) / (n - 1));
  const y = (v: number) => H - pad.b - (v * (H - pad.t - pad.b)) / max;
  const line = (k: 'visits' | 'pageviews') =>
    o.series.map((s, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(s[k]).toFixed(1)}`).join(' ');
  const label = (d: Date) =>
    o.bucket === 'hour' ? `${d.toISOString().slice(11, 13)}:00` : d.toISOString().slice(0, 10);
  const total = (k: 'visits' | 'pageviews') => o.series.reduce((a, s) => a + s[k], 0);
  return (
    <section aria-labelledby="chart-h">
      <h2 id="chart-h">Visits and page views per {o.bucket}</h2>
      <svg
        class="an-chart"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby="chart-title chart-desc"
        width="100%"
      >
        <title id="chart-title">Visits and page views per {o.bucket}</title>
        <desc id="chart-desc">
          {`Line chart from ${o.range.from} to ${o.range.to}: ${total('visits')} visits (solid line, round markers) and ${total('pageviews')} page views (dashed line, square markers); the highest point is ${max}. The table below lists every value.`}
        </desc>
        <line x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} class="an-axis" />
        <line x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} class="an-axis" />
        <text x={pad.l - 6} y={pad.t + 4} text-anchor="end" class="an-tick">
          {String(max)}
        </text>
        <text x={pad.l - 6} y={H - pad.b} text-anchor="end" class="an-tick">
          0
        </text>
        {n > 0 ? (
          <text x={pad.l} y={H - 8} class="an-tick">
            {label(o.series[0]!.start)}
          </text>
        ) : null}
        {n > 1 ? (
          <text x={W - pad.r} y={H - 8} text-anchor="end" class="an-tick">
            {label(o.series[n - 1]!.start)}
          </text>
        ) : null}
        <path
          d={line('pageviews')}
          class="an-line an-pageviews"
          fill="none"
          stroke-dasharray="6 4"
        />
        <path d={line('visits')} class="an-line an-visits" fill="none" />
        {n <= 60
          ? o.series.map((s, i) => (
              <>
                <rect
                  x={x(i) - 3}
                  y={y(s.pageviews) - 3}
                  width="6"
                  height="6"
                  class="an-pageviews-mark"
                />
                <circle cx={x(i)} cy={y(s.visits)} r="3.5" class="an-visits-mark" />
              </>
            ))
          : null}
      </svg>
      <p class="an-legend">
        <span class="an-key-visits">● solid: visits</span> ·{' '}
        <span class="an-key-pageviews">■ dashed: page views</span>
      </p>
      <details>
        <summary>The chart as a table</summary>
        <div class="table-scroll" role="region" aria-labelledby="series-caption" tabindex={0}>
          <table class="data-table">
            <caption id="series-caption">Visits and page views per {o.bucket}</caption>
            <thead>
              <tr>
                <th scope="col">{o.bucket === 'hour' ? 'Hour (UTC)' : `${o.bucket} from`}</th>
                <th scope="col">Visits</th>
                <th scope="col">Page views</th>
              </tr>
            </thead>
            <tbody>
              {o.series.map((s) => (
                <tr>
                  <th scope="row">
                    {o.bucket === 'hour'
                      ? s.start.toISOString().slice(0, 13) + ':00'
                      : label(s.start)}
                  </th>
                  <td>{int(s.visits)}</td>
                  <td>{int(s.pageviews)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function PanelView({ panel, o, filters }: { panel: Panel; o: Overview; filters: Filters }) {
  const hid = `panel-${panel.id}`;
  const max = Math.max(1, ...panel.rows.map((r) => r.value));
  const csv = `/console/analytics/export.csv?${new URLSearchParams([
    ['panel', panel.id],
    ...dashboardQuery(o.range, filters),
  ]).toString()}`;
  return (
    <section class="an-panel" aria-labelledby={hid}>
      <h2 id={hid}>{panel.title}</h2>
      {panel.rows.length === 0 ? (
        <p class="console-note">No data for this period.</p>
      ) : (
        <table class="data-table an-table">
          <thead>
            <tr>
              <th scope="col">{panel.title}</th>
              <th scope="col">{panel.measure}</th>
              {panel.rows.some((r) => r.bounceRate !== null) ? (
                <th scope="col">Bounce rate</th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {panel.rows.map((r) => (
              <tr>
                <th scope="row">
                  {panel.filterable && !(panel.id in filters) ? (
                    <a href={withFilter(o.range, filters, panel.id as FilterDim, r.key)}>
                      {r.label}
                      <span class="visually-hidden"> (filter by this)</span>
                    </a>
                  ) : (
                    r.label
                  )}
                  <svg
                    class="an-bar"
                    viewBox="0 0 100 4"
                    preserveAspectRatio="none"
                    aria-hidden="true"
                  >
                    <rect width={Math.max(1, Math.round((r.value / max) * 100))} height="4" />
                  </svg>
                </th>
                <td>{int(r.value)}</td>
                {r.bounceRate !== null ? <td>{pct(r.bounceRate)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="an-export">
        <a href={csv}>
          Download CSV<span class="visually-hidden"> of {panel.title}</span>
        </a>
      </p>
    </section>
  );
}

function Props({ o }: { o: Overview }) {
  return (
    <section class="an-panel" aria-labelledby="panel-props">
      <h2 id="panel-props">Event properties</h2>
      {o.props.length === 0 ? (
        <p class="console-note">
          No event properties for this period{o.filterLabels.length ? ' and these filters' : ''}.
        </p>
      ) : (
        <table class="data-table an-table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Property</th>
              <th scope="col">Value</th>
              <th scope="col">Events</th>
            </tr>
          </thead>
          <tbody>
            {o.props.map((p) => (
              <tr>
                <td>{p.event}</td>
                <td>{p.key}</td>
                <td>{p.value}</td>
                <td>{int(p.events)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Realtime({ o }: { o: Overview }) {
  return (
    <section class="an-panel" aria-labelledby="panel-realtime">
      <h2 id="panel-realtime">Last 30 minutes</h2>
      <p>
        <strong>{int(o.realtime.visits)}</strong> visits active
      </p>
      {o.realtime.pages.length ? (
        <table class="data-table an-table">
          <thead>
            <tr>
              <th scope="col">Page</th>
              <th scope="col">Page views</th>
            </tr>
          </thead>
          <tbody>
            {o.realtime.pages.map((p) => (
              <tr>
                <th scope="row">{p.label}</th>
                <td>{int(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
