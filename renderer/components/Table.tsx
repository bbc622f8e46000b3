// The views' tables: one markup for every grid (class "grid", data-table="<name>" for tests, column
// headers scoped to their column, numeric columns right-aligned), the rows given as children.
import type { ReactNode } from 'react';

/** A column header: its label, or { num: label } for a numeric (right-aligned) column. */
export type Column = string | { num: string };

export function Table({
  name,
  cols,
  head,
  className = 'grid',
  testid,
  children,
}: {
  /** data-table */
  name?: string;
  cols?: readonly Column[];
  /** header cells of its own (sortable headers, a row header column): instead of cols */
  head?: ReactNode;
  className?: string;
  testid?: string;
  children: ReactNode;
}) {
  return (
    <table className={className} data-table={name} data-testid={testid}>
      <thead>
        <tr>
          {head ??
            cols?.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.num} scope="col" className="num">
                  {c.num}
                </th>
              ),
            )}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
