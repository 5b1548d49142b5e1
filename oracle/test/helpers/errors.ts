/** The error a promise rejects with, or undefined when it resolves. */
export async function errorOf(p: Promise<unknown>): Promise<Error | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err as Error;
  }
}
