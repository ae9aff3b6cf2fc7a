import React, { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { ROUTES, type AppJsonData } from '../../constants';
import { PageLoading } from '../PageState';

// One file per page, each loaded on first visit.
const Overview = lazy(() => import('../../pages/Overview'));
const HealthSettings = lazy(() => import('../../pages/HealthSettings'));
const Notifications = lazy(() => import('../../pages/Notifications'));
const Security = lazy(() => import('../../pages/Security'));
const Terminal = lazy(() => import('../../pages/Terminal'));

function App(_props: AppRootProps<AppJsonData>) {
  return (
    <Suspense fallback={<PageLoading />}>
      <Routes>
        <Route path={ROUTES.Overview} element={<Overview />} />
        <Route path={ROUTES.HealthSettings} element={<HealthSettings />} />
        <Route path={ROUTES.Notifications} element={<Notifications />} />
        <Route path={ROUTES.Security} element={<Security />} />
        <Route path={ROUTES.Terminal} element={<Terminal />} />
        <Route path="*" element={<Navigate to={ROUTES.Overview} replace />} />
      </Routes>
    </Suspense>
  );
}

export default App;
