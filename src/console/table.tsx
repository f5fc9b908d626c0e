import type { ComponentChildren } from 'preact';

// The console's lists: a table that scrolls sideways on its own on a narrow screen (so the page
// never does), focusable so a keyboard can scroll it, and named for screen readers.

/** Named by its caption (linked by id, or repeated as the label), or by a heading above it. */
type Naming =
  | { caption: string; captionId?: string; labelledBy?: never }
  | { labelledBy: string; caption?: never; captionId?: never };

export function DataTable(
  p: Naming & { headings: readonly ComponentChildren[]; children: ComponentChildren },
) {
  const labelledBy = p.labelledBy ?? p.captionId;
  return (
    <div
      class="table-scroll"
      role="region"
      aria-labelledby={labelledBy}
      aria-label={labelledBy ? undefined : p.caption}
      tabindex={0}
    >
      <table class="data-table">
        {p.caption ? <caption id={p.captionId}>{p.caption}</caption> : null}
        <thead>
          <tr>
            {p.headings.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  );
}
