// uri-template-lite ships no types; this is the part of its surface we use.
declare module 'uri-template-lite' {
  type Value = string | number | boolean | null | undefined | ReadonlyArray<string | number> | Readonly<Record<string, string | number>>;
  interface TemplateStatic {
    expand(template: string, data: Readonly<Record<string, unknown>>, opts?: { encoder?: (value: string) => string }): string;
  }
  const Template: TemplateStatic;
  export type { Value };
  export default Template;
}
