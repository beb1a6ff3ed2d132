/** How training figures are written for staff (the CLI, the admin pages, the yearly report). */

const percent = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/**
 * A share (0..1) as a Vietnamese percentage with at most one decimal: "85,7%"; "–" for null
 * (no officials, so no share).
 *
 * @example formatShare(6 / 7) // '85,7%'
 */
export function formatShare(share: number | null): string {
  return share === null ? '–' : `${percent.format(Math.round(share * 1000) / 10)}%`;
}
