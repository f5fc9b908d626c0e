import { cloneElement, isValidElement, toChildArray, type ComponentChildren } from 'preact';

// The console's lists: a table on a wide screen; on a phone each row becomes a card whose cells
// carry their column's name (console.css reads `data-label`). Focusable so a keyboard can
// scroll a wide one, and named for screen readers.

const text = (heading: ComponentChildren): string =>
  typeof heading === 'string' || typeof heading === 'number' ? String(heading) : '';

/** Each cell of each row labelled with its column's heading. */
function labelled(rows: ComponentChildren, headings: readonly ComponentChildren[]) {
  return toChildArray(rows).map((row) =>
    isValidElement(row) && row.type === 'tr'
      ? cloneElement(
          row,
          {},
          toChildArray((row.props as { children?: ComponentChildren }).children).map((cell, i) =>
            isValidElement(cell) ? cloneElement(cell, { 'data-label': text(headings[i]) }) : cell,
          ),
        )
      : row,
  );
}

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
      // Named after its heading and told apart from the section that heading also names.
      aria-labelledby={labelledBy ? `${labelledBy} ${labelledBy}-table` : undefined}
      aria-label={labelledBy ? undefined : p.caption}
      tabindex={0}
    >
      {labelledBy ? (
        <span id={`${labelledBy}-table`} hidden>
          (table)
        </span>
      ) : null}
      <table class="data-table">
        {p.caption ? <caption id={p.captionId}>{p.caption}</caption> : null}
        <thead>
          <tr>
            {p.headings.map((h) => (
              // An empty heading is a column of buttons: named for screen readers only.
              <th scope="col">{h === '' ? <span class="visually-hidden">Actions</span> : h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{labelled(p.children, p.headings)}</tbody>
      </table>
    </div>
  );
}
