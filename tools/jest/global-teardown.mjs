import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { tearDownInfra } = await tsImport('./infra-setup.ts', import.meta.url);
  await tearDownInfra();
}
