import { StaticSite, use, type StackContext } from "sst/constructs";
import { Duration } from "aws-cdk-lib";
import { HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy } from "aws-cdk-lib/aws-cloudfront";
import { Api } from "./Api.ts";
import { Auth } from "./Auth.ts";

/**
 * The notes web app (packages/web) on S3 + CloudFront. Its build gets the API URL and the Cognito
 * ids as VITE_ variables; SST builds with placeholders and fills in the deployed values on upload.
 */
export function Web({ stack }: StackContext) {
  const { api } = use(Api);
  const auth = use(Auth);
  // Per stage, so synthesizing several stages (or a deploy next to a local build) never shares a directory.
  const buildOutput = `dist-aws/${stack.stage}`;

  const site = new StaticSite(stack, "Site", {
    path: "packages/web",
    buildCommand: `npx vite build --outDir ${buildOutput} --emptyOutDir`,
    buildOutput,
    errorPage: "redirect_to_index_page",
    environment: {
      VITE_API_URL: `${api.url}/graphql`,
      VITE_REGION: stack.region,
      VITE_USER_POOL_ID: auth.userPoolId,
      VITE_USER_POOL_CLIENT_ID: auth.userPoolClientId,
    },
    cdk: {
      distribution: {
        defaultBehavior: {
          // The app only loads its own files and talks to the API and Cognito; a browser enforces that.
          responseHeadersPolicy: new ResponseHeadersPolicy(stack, "SiteHeaders", {
            securityHeadersBehavior: {
              contentSecurityPolicy: {
                contentSecurityPolicy: [
                  "default-src 'self'",
                  "img-src 'self' data:",
                  `connect-src 'self' https://*.execute-api.${stack.region}.${stack.urlSuffix} https://cognito-idp.${stack.region}.${stack.urlSuffix}`,
                  "object-src 'none'",
                  "base-uri 'none'",
                  "frame-ancestors 'none'",
                  "form-action 'self'",
                ].join("; "),
                override: true,
              },
              contentTypeOptions: { override: true },
              frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
              referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
              strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
            },
          }),
        },
      },
    },
  });

  stack.addOutputs({ WebUrl: site.url });
  return { site };
}
