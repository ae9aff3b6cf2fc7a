import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { rulesDir, yamlFiles } from './paths.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleFile {
  file: string;
  groups: Array<{ name: string; rules: AlertRule[] }>;
}

/** The shipped rule files, parsed. */
export function loadRuleFiles(): RuleFile[] {
  return yamlFiles(rulesDir).map((file) => ({
    file,
    ...(parse(readFileSync(file, 'utf8')) as Omit<RuleFile, 'file'>),
  }));
}

export const allRules = (): AlertRule[] => loadRuleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules));
