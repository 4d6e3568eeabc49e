import { parser } from '@prometheus-io/lezer-promql';

/** A label matcher of a selector: `queue="intake"`, `state=~"pairing|logged_out"`. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A vector selector: the metric it names and its matchers, with its text for messages. */
export interface Selector {
  metric: string | undefined;
  matchers: Matcher[];
  text: string;
}

export interface PromqlFacts {
  /** Syntax errors (the grammar's error nodes), and constructs these checks do not read. */
  errors: string[];
  selectors: Selector[];
  /** Label names of `by`, `without`, `on`, `ignoring` and `group_left/right` clauses. */
  groupingLabels: string[];
}

type Node = ReturnType<typeof parser.parse>['topNode'];

const OPS: Record<string, Matcher['op']> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/** A PromQL string literal's value: "..." and '...' with Go's escapes, `...` raw. */
function stringValue(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const inner = literal.slice(1, -1);
  return JSON.parse(`"${literal.startsWith("'") ? inner.replace(/\\'/g, "'").replace(/"/g, '\\"') : inner}"`) as string;
}

/**
 * Parses an expression with Prometheus's own PromQL grammar (@prometheus-io/lezer-promql, the
 * one its web UI uses) and gathers what the checks need: every error node, every selector with
 * its matchers, and every label name of a grouping clause.
 */
export function analysePromql(expr: string): PromqlFacts {
  const tree = parser.parse(expr);
  const text = (n: { from: number; to: number }) => expr.slice(n.from, n.to);
  const facts: PromqlFacts = { errors: [], selectors: [], groupingLabels: [] };
  if (expr.trim() === '') facts.errors.push('empty expression');
  tree.iterate({
    enter: (ref) => {
      const node = ref.node;
      if (node.type.isError) {
        facts.errors.push(`syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 20), node.to + 20)}"`);
      } else if (node.name === 'QuotedLabelName' || node.name === 'QuotedLabelMatcher') {
        facts.errors.push(`quoted label name ${text(node)}: not checked here, write the label unquoted`);
      } else if (node.name === 'VectorSelector') {
        facts.selectors.push(selectorOf(node, text));
      } else if (node.name === 'GroupingLabels') {
        for (const l of node.getChildren('LabelName')) facts.groupingLabels.push(text(l));
      }
    },
  });
  return facts;
}

function selectorOf(node: Node, text: (n: Node) => string): Selector {
  const name = node.getChild('Identifier');
  const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map((m) => {
    const op = m.getChild('MatchOp')?.firstChild;
    const value = m.getChild('StringLiteral');
    return { label: text(m.getChild('LabelName')!), op: OPS[op?.name ?? ''] ?? '=', value: value ? stringValue(text(value)) : '' };
  });
  return { metric: name ? text(name) : undefined, matchers, text: text(node) };
}
