/**
 * Region names and their geographies, for data residency and per-region exporters. Pure.
 * @module
 */

/** Azure region names in Europe (Azure names regions without a geography prefix). */
const AZURE_EUROPE = /europe|^uk|^france|^germany|^sweden|^switzerland|^norway|^poland|^italy|^spain|^belgium|^austria|^denmark|^finland|^greece/;
const AZURE_US = /^(east|west|central|northcentral|southcentral|westcentral)us\d?$/;

/**
 * The geography of a region: `'eu'` for Europe (AWS `eu-*`, Google Cloud `europe-*`, Azure's European
 * regions), `'us'`, `'apac'`, `'cn'`; the region itself when it is already a geography or unknown.
 * Geographies follow the clouds' own grouping: AWS counts London (`eu-west-2`) and Zurich in `eu`.
 * @param region A region such as `eu-west-1`, `europe-west4`, `westeurope` or `eu`.
 * @returns The geography, lower-case.
 */
export function geographyOf(region: string): string {
  const name = region.toLowerCase();
  if (/^(eu|europe)(-|$)/.test(name) || AZURE_EUROPE.test(name)) return 'eu';
  if (/^us(-|$)/.test(name) || AZURE_US.test(name)) return 'us';
  if (/^(ap|asia|australia|apac|jp|au)(-|$)/.test(name)) return 'apac';
  if (/^cn(-|$)/.test(name)) return 'cn';
  return name;
}

/**
 * Whether a region is one of a list, by its exact name or its geography (case-insensitive): `eu-west-1`
 * matches `['eu']` and `['eu-west-1']`, not `['us']`.
 * @param region A region.
 * @param list Regions or geographies.
 */
export function regionMatches(region: string, list: readonly string[]): boolean {
  const lower = region.toLowerCase();
  const geography = geographyOf(lower);
  return list.some((entry) => entry.toLowerCase() === lower || entry.toLowerCase() === geography);
}
