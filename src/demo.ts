export async function runDemo(_opts: { json: boolean; color: boolean }): Promise<number> {
  return 3;
}
