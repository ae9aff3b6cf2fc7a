// Extends the scaffolded config (.config/ is managed by @grafana/create-plugin) with two copies:
// the repository's dashboards (../dashboards/*.json, kept in one place) into dist/dashboards/, and the
// nested panels' logos, which the scaffold only copies for the top-level plugin.json.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      new CopyWebpackPlugin({
        patterns: [
          {
            from: '*.json',
            context: path.resolve(process.cwd(), '..', 'dashboards'),
            to: 'dashboards/[name][ext]',
          },
          { from: 'panels/*/img/*', to: '[path][name][ext]', noErrorOnMissing: true },
        ],
      }),
    ],
  };
};

export default config;
