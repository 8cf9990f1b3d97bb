// Jest's globalSetup does not apply moduleNameMapper; tsx resolves the @kanal/* path aliases.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { setUpInfra } = await tsImport('./infra-setup.ts', import.meta.url);
  await setUpInfra();
}
