// Grafana's types use TypeScript enums where the JSON has their string values: compare with the values.
import type { Dashboard } from '@grafana/schema';
type Json<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T
  : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
export type DashboardJson = Json<Dashboard>;
