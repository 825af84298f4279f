/** What every page receives from the app shell (its own module, so pages do not import the entry file). */
import type { EnginesAvailable, Me } from "../../src/contracts/api.ts";
import type { CityModel } from "./model.ts";

export type Ctx = {
  me: Me;
  modelId: string;
  version: number;
  model: CityModel;
  engines: EnginesAvailable;
  can: (p: string) => boolean;
  /** Re-reads the model list and shows this model's latest version (after an import or an edit). */
  reload: (modelId: string) => void;
};
