/** Vite imports of stylesheets. */
declare module "*.css";
