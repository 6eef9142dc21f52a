import type { FileProblemCode } from '../../file-problem-codes';
import { forEachLeaf, OPERATORS } from '../condition-tree';
import { isParameterReference, type LoadedRule, type ParametersFile } from '../rule-pack';

/**
 * A parameter that rules compare numerically must be a number. Reported once, where the mistake is (parameters.json),
 * naming the rules that use it, rather than once per rule.
 */
export function checkParameterTypes(
  rules: readonly LoadedRule[],
  parameters: ParametersFile['parameters'],
): Array<{ path: string; code: FileProblemCode; message: string }> {
  const numericUsers = new Map<string, string[]>();
  for (const rule of rules) {
    forEachLeaf(rule.spec.when, ({ operator, value }) => {
      if (OPERATORS[operator].kind !== 'numeric' || !isParameterReference(value)) return;
      const users = numericUsers.get(value.param) ?? [];
      if (!users.includes(rule.spec.name)) users.push(rule.spec.name);
      numericUsers.set(value.param, users);
    });
  }
  return [...numericUsers].flatMap(([name, users]) => {
    const parameter = Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    if (!parameter || typeof parameter.value === 'number') return [];
    return [
      {
        path: `parameters.${name}.value`,
        code: 'type-mismatch',
        message:
          `must be a number (it is ${JSON.stringify(parameter.value)}): ` +
          `rules compare it as one (${users.map((u) => `"${u}"`).join(', ')})`,
      },
    ];
  });
}
