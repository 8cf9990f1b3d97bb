/** Whether a provider's coordinates name a point on the globe (the contract rejects anything else). */
export function onGlobe(latitude: unknown, longitude: unknown): latitude is number {
  return inRange(latitude, 90) && inRange(longitude, 180);
}

function inRange(value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit;
}
