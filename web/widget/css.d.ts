// The build imports .css files as minified text (for the shadow root's stylesheet).
declare module '*.css' {
  const text: string;
  export default text;
}
