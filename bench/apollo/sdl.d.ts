/** schema.graphql reaches the Apollo bundle as text (esbuild's "text" loader). */
declare module "*.graphql" {
  const sdl: string;
  export default sdl;
}
