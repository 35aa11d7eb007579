import { isObject } from '../guards.js';
import { invalidRequest, unsupported } from '../translation-error.js';
import type { OpenAIFunctionTool, OpenAIToolChoice } from '../types.js';
import type { ResponsesFunctionTool, ResponsesTool, ResponsesToolChoice } from './types.js';

/** The chat tools a Responses tool list becomes, and what could not be carried. */
export interface MappedTools {
  tools: OpenAIFunctionTool[];
  /** Function name → its namespace, for the function tools that came from a `namespace` group. */
  namespaces: Map<string, string>;
  /** Built-in tools offered (not forced): dropped, named in `dropped` as `tools[type]`. */
  dropped: string[];
}

function functionTool(tool: ResponsesFunctionTool, param: string): OpenAIFunctionTool {
  if (typeof tool.name !== 'string' || tool.name === '') {
    throw invalidRequest(`'${param}.name' must be a non-empty string`, `${param}.name`);
  }
  const fn: OpenAIFunctionTool['function'] = { name: tool.name };
  if (typeof tool.description === 'string') fn.description = tool.description;
  fn.parameters = isObject(tool.parameters) ? tool.parameters : { type: 'object', properties: {} };
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/**
 * Function tools map one to one; the functions of a `namespace` group are flattened into the
 * list (their calls name the namespace again on the way back). Built-in tools (web search,
 * file search, computer use, code interpreter, MCP, ...) exist only on OpenAI's servers: offered,
 * they are dropped and named, since the model simply cannot call them.
 */
export function mapTools(tools: ResponsesTool[] | undefined | null): MappedTools {
  const out: MappedTools = { tools: [], namespaces: new Map(), dropped: [] };
  if (tools === undefined || tools === null) return out;
  if (!Array.isArray(tools)) throw invalidRequest("'tools' must be an array", 'tools');
  tools.forEach((tool, index) => {
    const param = `tools[${index}]`;
    if (!isObject(tool)) throw invalidRequest(`'${param}' must be an object`, param);
    if (tool['type'] === 'function') {
      out.tools.push(functionTool(tool as unknown as ResponsesFunctionTool, param));
    } else if (tool['type'] === 'namespace' && Array.isArray(tool['tools'])) {
      const namespace = String(tool['name']);
      (tool['tools'] as unknown[]).forEach((inner, j) => {
        if (isObject(inner) && inner['type'] === 'function') {
          const mapped = functionTool(
            inner as unknown as ResponsesFunctionTool,
            `${param}.tools[${j}]`,
          );
          out.tools.push(mapped);
          out.namespaces.set(mapped.function.name, namespace);
        } else {
          out.dropped.push(
            `tools[${namespace}.${String(isObject(inner) ? inner['type'] : inner)}]`,
          );
        }
      });
    } else {
      out.dropped.push(`tools[${String(tool['type'])}]`);
    }
  });
  return out;
}

/**
 * Every `tool_choice` form: the strings as they are, a named function, `allowed_tools` (the list
 * narrowed to those tools, in its mode). A forced built-in tool cannot be honoured: 400 naming it.
 */
export function mapToolChoice(
  choice: ResponsesToolChoice | undefined | null,
  mapped: MappedTools,
): OpenAIToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (!isObject(choice)) {
    throw invalidRequest(
      `'tool_choice' ${JSON.stringify(choice)} is not a valid choice`,
      'tool_choice',
    );
  }
  const type = choice['type'];
  if (type === 'function' && typeof choice['name'] === 'string') {
    return { type: 'function', function: { name: choice['name'] } };
  }
  if (type === 'allowed_tools' && Array.isArray(choice['tools'])) {
    const names = new Set<string>();
    for (const allowed of choice['tools'] as unknown[]) {
      if (
        isObject(allowed) &&
        allowed['type'] === 'function' &&
        typeof allowed['name'] === 'string'
      ) {
        names.add(allowed['name']);
      }
    }
    mapped.tools = mapped.tools.filter((tool) => names.has(tool.function.name));
    return choice['mode'] === 'required' ? 'required' : 'auto';
  }
  throw unsupported(
    `'tool_choice' forces the built-in tool '${String(type)}', which only OpenAI's own servers run`,
    'tool_choice',
  );
}
