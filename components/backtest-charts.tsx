'use client';

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';

export interface DecilePoint {
  decile: number;
  lift: number | null;
}

export interface GainsPoint {
  /** Share of leads contacted, highest scores first (0–100). */
  leads: number;
  /** Share of all conversions captured (0–100). */
  model: number;
  /** What contacting leads in random order captures: the diagonal. */
  random: number;
}

const AXIS = { fontSize: 11, fill: '#64748b' };

/** Conversion rate of each score decile relative to the base rate; 1× is what random order gives. */
export function DecileLiftChart({ data }: { data: DecilePoint[] }) {
  return (
    <BarChart
      responsive
      data={data.map((d) => ({ decile: `D${d.decile}`, lift: d.lift === null ? 0 : Number(d.lift.toFixed(2)) }))}
      style={{ width: '100%', height: 260 }}
      margin={{ top: 8, right: 8, bottom: 4, left: -16 }}
      accessibilityLayer
    >
      <CartesianGrid vertical={false} stroke="#e2e8f0" />
      <XAxis dataKey="decile" tick={AXIS} tickLine={false} axisLine={{ stroke: '#cbd5e1' }} />
      <YAxis tick={AXIS} tickLine={false} axisLine={false} tickFormatter={(v: number) => `${v}×`} />
      <Tooltip formatter={(v) => [`${v}×`, 'Lift']} cursor={{ fill: '#f1f5f9' }} />
      <ReferenceLine y={1} stroke="#94a3b8" strokeDasharray="4 4" label={{ value: 'random = 1×', position: 'insideTopRight', fontSize: 11, fill: '#64748b' }} />
      <Bar dataKey="lift" name="Lift" fill="#4f46e5" radius={[3, 3, 0, 0]} isAnimationActive={false} />
    </BarChart>
  );
}

const LIVE_COLOR = '#4f46e5';
const CANDIDATE_COLOR = '#059669';

/** Cumulative gains lines on one frame (0–100% of leads by 0–100% of conversions), random order dashed last. */
function GainsFrame<T extends { leads: number; random: number }>({ data, series }: { data: T[]; series: { key: keyof T & string; name: string; color: string }[] }) {
  return (
    <LineChart responsive data={data} style={{ width: '100%', height: 260 }} margin={{ top: 8, right: 12, bottom: 4, left: -16 }} accessibilityLayer>
      <CartesianGrid stroke="#e2e8f0" />
      <XAxis dataKey="leads" type="number" domain={[0, 100]} ticks={[0, 20, 40, 60, 80, 100]} tick={AXIS} tickFormatter={(v: number) => `${v}%`} tickLine={false} axisLine={{ stroke: '#cbd5e1' }} />
      <YAxis type="number" domain={[0, 100]} ticks={[0, 20, 40, 60, 80, 100]} tick={AXIS} tickFormatter={(v: number) => `${v}%`} tickLine={false} axisLine={false} />
      <Tooltip formatter={(v, name) => [`${Number(v).toFixed(1)}%`, name]} labelFormatter={(v) => `Top ${Number(v).toFixed(0)}% of leads`} />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      {series.map((line) => (
        <Line key={line.key} dataKey={line.key} name={line.name} stroke={line.color} strokeWidth={2} dot={{ r: 2.5 }} isAnimationActive={false} />
      ))}
      <Line dataKey="random" name="Random order" stroke="#94a3b8" strokeDasharray="4 4" dot={false} isAnimationActive={false} />
    </LineChart>
  );
}

/** Share of conversions captured by contacting the top x% of leads, against random order. */
export function CumulativeGainsChart({ data }: { data: GainsPoint[] }) {
  return <GainsFrame data={data} series={[{ key: 'model', name: 'By score', color: LIVE_COLOR }]} />;
}

export interface ComparedGainsPoint {
  /** Share of leads contacted, highest scores first (0–100): the same leads under both rule sets. */
  leads: number;
  live: number;
  candidate: number;
  random: number;
}

/** Both rule sets' cumulative gains on the same leads, with random order. */
export function ComparedGainsChart({ data }: { data: ComparedGainsPoint[] }) {
  return (
    <GainsFrame
      data={data}
      series={[
        { key: 'live', name: 'Live rules', color: LIVE_COLOR },
        { key: 'candidate', name: 'Candidate', color: CANDIDATE_COLOR },
      ]}
    />
  );
}

/** Each decile's lift under both rule sets, side by side. */
export function ComparedDecileLiftChart({ data }: { data: { decile: number; live: number | null; candidate: number | null }[] }) {
  const rows = data.map((d) => ({ decile: `D${d.decile}`, live: d.live === null ? 0 : Number(d.live.toFixed(2)), candidate: d.candidate === null ? 0 : Number(d.candidate.toFixed(2)) }));
  return (
    <BarChart responsive data={rows} style={{ width: '100%', height: 260 }} margin={{ top: 8, right: 8, bottom: 4, left: -16 }} accessibilityLayer>
      <CartesianGrid vertical={false} stroke="#e2e8f0" />
      <XAxis dataKey="decile" tick={AXIS} tickLine={false} axisLine={{ stroke: '#cbd5e1' }} />
      <YAxis tick={AXIS} tickLine={false} axisLine={false} tickFormatter={(v: number) => `${v}×`} />
      <Tooltip formatter={(v, name) => [`${v}×`, name]} cursor={{ fill: '#f1f5f9' }} />
      <Legend wrapperStyle={{ fontSize: 12 }} />
      <ReferenceLine y={1} stroke="#94a3b8" strokeDasharray="4 4" />
      <Bar dataKey="live" name="Live rules" fill={LIVE_COLOR} radius={[3, 3, 0, 0]} isAnimationActive={false} />
      <Bar dataKey="candidate" name="Candidate" fill={CANDIDATE_COLOR} radius={[3, 3, 0, 0]} isAnimationActive={false} />
    </BarChart>
  );
}
