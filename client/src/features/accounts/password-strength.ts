import { passwordShapeProblem } from '@tracetrack/shared/password-rule';

export interface PasswordHint {
  /** The rule's refusal as the server would say it; null when the password meets the rule. */
  problem: string | null;
  /** 0 (guessed at once) … 4 (very hard to guess); null while the estimator loads. */
  score: number | null;
  /** The estimator's advice, e.g. "This is similar to a commonly used password." */
  advice: string | null;
}

type Checker = (password: string, username: string | null) => { problem: string | null; score: number; advice: string | null };
let checker: Promise<Checker> | null = null;

/**
 * The strength estimator (zxcvbn-ts with its common and English dictionaries, several hundred KB)
 * and the shared common-password list load on first use, only on screens that set a password, so
 * no other screen, /scan least of all, carries them.
 */
function loadChecker(): Promise<Checker> {
  checker ??= (async () => {
    const [{ ZxcvbnFactory }, common, en, { passwordProblem }] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
      import('@tracetrack/shared/common-passwords'),
    ]);
    const zxcvbn = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
    return (password, username) => {
      const result = zxcvbn.check(password, username ? [username] : []);
      return { problem: passwordProblem(password, username), score: result.score, advice: result.feedback.warning || null };
    };
  })();
  checker.catch(() => (checker = null));
  return checker;
}

/** The rule's length and username checks at once; the list and the estimate once they have loaded. */
export function quickHint(password: string, username: string | null): PasswordHint {
  return { problem: passwordShapeProblem(password, username), score: null, advice: null };
}

export async function fullHint(password: string, username: string | null): Promise<PasswordHint> {
  const check = await loadChecker();
  return check(password, username);
}

export const STRENGTH_WORDS = ['Very easy to guess', 'Easy to guess', 'Could be guessed', 'Hard to guess', 'Very hard to guess'] as const;
