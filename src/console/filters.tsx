import type { ComponentChildren } from 'preact';

// The filter bar above a console list: a GET form, so a filtered list has an address to share,
// with its fields, a Filter button and a Clear link back to the unfiltered list.

export function FilterForm(p: { action: string; label: string; children: ComponentChildren }) {
  return (
    <form class="console-filters" method="get" action={p.action} role="search" aria-label={p.label}>
      {p.children}
      <div class="console-actions">
        <button class="console-button" type="submit">
          Filter
        </button>
        <a class="console-link-button" href={p.action}>
          Clear
        </a>
      </div>
    </form>
  );
}

export function FilterInput(p: {
  name: string;
  label: string;
  type: 'search' | 'date';
  value: string | undefined;
  maxLength?: number;
}) {
  return (
    <div class="console-field">
      <label for={p.name}>{p.label}</label>
      <input
        id={p.name}
        name={p.name}
        type={p.type}
        value={p.value ?? ''}
        maxLength={p.maxLength}
      />
    </div>
  );
}

/** A choice of one value, or none ("Any …") to leave the list unfiltered by it. */
export function FilterSelect(p: {
  name: string;
  label: string;
  any: string;
  value: string | undefined;
  options: readonly (readonly [value: string, label: string])[];
}) {
  return (
    <div class="console-field">
      <label for={p.name}>{p.label}</label>
      <select id={p.name} name={p.name}>
        <option value="">{p.any}</option>
        {p.options.map(([value, label]) => (
          <option value={value} selected={p.value === value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}
