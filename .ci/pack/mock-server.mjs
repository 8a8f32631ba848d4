// Starts the mock provider from the installed package and prints its base URL.
import { createMockProvider } from 'sluice/testing';

const mock = await createMockProvider();
console.log(mock.baseURL);
process.on('SIGTERM', () => void mock.close().then(() => process.exit(0)));
