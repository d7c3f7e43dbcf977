/**
 * Stands in for urlpattern-polyfill in the Lambda bundle (stacks/lambda-bundle.ts). Node 22 has no
 * global URLPattern, so @whatwg-node/fetch would load the 19 KB polyfill at every cold start, while
 * the one pattern the API makes is yoga's `{ pathname: "/graphql" }`, tested against request URLs.
 * This supports exactly that: a literal pathname, tested against a URL or a URL string. Any other
 * pattern or input is refused, so a new use fails loudly instead of matching differently.
 */
export class URLPattern {
  readonly #pathname: string;

  constructor(input?: unknown, baseURL?: unknown) {
    const pathname = (input as { pathname?: unknown } | null)?.pathname;
    if (
      baseURL !== undefined ||
      typeof input !== "object" ||
      Object.keys(input!).join() !== "pathname" ||
      typeof pathname !== "string" ||
      !LITERAL_PATHNAME.test(pathname)
    ) {
      throw new TypeError(
        `URLPattern in the Lambda bundle takes only { pathname: "/a/literal/path" }, not ${String(JSON.stringify(input))}` +
          `${baseURL === undefined ? "" : " with a base URL"} (${SOURCE})`,
      );
    }
    this.#pathname = pathname;
  }

  /** Every component but the pathname is a wildcard: the URL's pathname alone decides. */
  test(input: string | URL, baseURL?: string): boolean {
    const href = typeof input === "string" ? input : (input as Partial<URL> | null)?.href;
    if (typeof href !== "string" || (typeof input !== "string" && baseURL !== undefined)) {
      throw new TypeError(`URLPattern.test in the Lambda bundle takes a URL or a URL string (${SOURCE})`);
    }
    let url: URL;
    try {
      url = new URL(href, baseURL);
    } catch {
      return false;
    }
    return url.pathname === this.#pathname;
  }

  exec(): never {
    throw new TypeError(`URLPattern.exec is not available in the Lambda bundle (${SOURCE})`);
  }
}

const SOURCE = "packages/functions/src/lambda-url-pattern.ts";

/** "/"-separated segments of unreserved characters, none "." or "..": no pattern syntax, nothing a URL would encode. */
const LITERAL_PATHNAME = /^(?:\/(?:[\w~-][\w.~-]*)?)+$/;
