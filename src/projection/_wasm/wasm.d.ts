// A `.wasm` file imported `with { type: "file" }`: its path (inside the compiled binary, embedded).
declare module "*.wasm" {
  const path: string;
  export default path;
}
