import type { SiteConfig } from '../config/site.js';
import { Layout } from './layout.js';

export function MessagePage(props: { site: SiteConfig; title: string; message: string }) {
  return (
    <Layout site={props.site} title={props.title}>
      <section class="message">
        <h1>{props.title}</h1>
        <p role="alert">{props.message}</p>
        <p>
          <a href="/">Go to the home page</a>
        </p>
      </section>
    </Layout>
  );
}
