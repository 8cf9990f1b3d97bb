import { main } from './main';

// Entry of the bundled CLI in the container image (bin/kanal.mjs runs main.ts through tsx instead).
process.exitCode = await main(process.argv.slice(2));
