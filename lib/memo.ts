/**
 * Memoises an async factory for the life of the process, sharing one in-flight promise between
 * concurrent callers; a rejected attempt is forgotten, so the next call tries again instead of
 * caching the failure (say, a database that was still starting).
 */
export function retryOnFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let memo: Promise<T> | undefined;
  return () => {
    if (!memo) {
      const attempt = load();
      memo = attempt;
      attempt.catch(() => {
        if (memo === attempt) memo = undefined;
      });
    }
    return memo;
  };
}
