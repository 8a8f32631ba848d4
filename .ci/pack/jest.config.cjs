// Jest in the smoke project: the two test files, in Node's environment (the mock provider runs apart, at MOCK_URL).
module.exports = { testEnvironment: 'node', testMatch: ['<rootDir>/jest-*.test.{cjs,mjs}'] };
